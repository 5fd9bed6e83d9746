"""User interfaces: the Gradio app at /ui and the embeddable chat widget at /widget."""
