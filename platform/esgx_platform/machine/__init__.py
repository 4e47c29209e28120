"""Machine access: API tokens for suppliers' systems and OAuth2 clients for lead factories."""
