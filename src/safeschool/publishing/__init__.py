"""Publishing formats built from the platform's texts (issue 18): the EPUB 3 writer and its structure check
(epub.py). Pure: no Django."""
