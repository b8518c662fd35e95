"""Reading certificates: the PDF text layer and OCR (tesseract), run in a killable child
process."""
