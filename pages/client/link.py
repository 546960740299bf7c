"""A client link: until a feature claims this token, the one calm page for links that don't work."""
import streamlit as st

st.title("This link isn't working")
st.write(
    "The link may have expired, or it was replaced by a newer one. Nothing is wrong on your side. "
    "Please ask your clinician to send you a new link."
)
