"""A client token pasted into the fragment (`/#t=…`) never reaches the server, so client.web cannot
move it out of the address bar; the sign-in page does it in the browser."""
import streamlit as st

# Streamlit keeps the fragment in the address bar (on another path it moves to `/` and the fragment is
# dropped, so the address the page was opened with is read too). Our links never use one: the page is
# swapped for `/c/?t=` (the calm page), so the token leaves the address bar without being sent anywhere.
_FRAGMENT_TOKEN = """<script>
(function () {
  var opened = (performance.getEntriesByType("navigation")[0] || {}).name || "";
  var hashes = [window.location.hash, opened.indexOf("#") < 0 ? "" : opened.slice(opened.indexOf("#"))];
  if (hashes.some(function (h) { return /(^#|[#&;?])\\s*t=/i.test(h); })) {
    window.location.replace("/c/?t=");
  }
})();
</script>"""


def clear_fragment_token() -> None:
    """Sessions outside a client link (the sign-in page) drop a token given in the fragment."""
    st.html(_FRAGMENT_TOKEN, unsafe_allow_javascript=True)
