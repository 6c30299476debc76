"""The Gradio chat's pieces: sources panel, export, documents tab, uploads, and the UI that joins them."""
