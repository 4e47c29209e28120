"""Reference emission factors shipped with the platform (versioned, cited); users add their own."""
