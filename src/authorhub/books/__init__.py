"""The book catalog: books, their formats and private ebook files, and the response cache."""
