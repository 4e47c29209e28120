"""The supplier portal: Flask blueprints, templates and static files for suppliers."""
