"""The framework floor for a page load: one line."""
import streamlit as st

st.write("hello")
