"""Categories of books: public read, admin write."""
