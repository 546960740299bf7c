"""Reusable Streamlit pieces. Pages import these; core/, db/ and jobs/ never do."""
