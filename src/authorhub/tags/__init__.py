"""Tags: free-form labels on books, with their own table."""
