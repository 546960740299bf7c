"""Work outside Streamlit: email backends, the reminder worker, digests. Never imports streamlit."""
