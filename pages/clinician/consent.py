"""Consent for one client: where it stands, who did what, the in-session checklist, the link, withdrawal."""
import pandas as pd
import streamlit as st

from components import client_picker, text
from components.frame import field_error, require_role, settings, utcnow
from core import checkups as checkup_rules
from db import checkups, consent
from jobs import checkups as checkup_links, invites

actor = require_role("clinician", "admin")
cfg = settings()
now = utcnow()
ss = st.session_state

st.title("Consent")
st.caption("Go through each item with the client in session, check together that they can use the link, "
           "then send the link so they can confirm in their own time.")
client_id, by_id = client_picker.pick(actor, now=now, key="consent_client",
                                      empty="No clients yet. Add one on the caseload page first.")
if ss.get("consent_for") != client_id:  # a different client: start with a clean form
    for k in [k for k in ss if str(k).startswith(("consent_discussed_", "consent_tech", "consent_errors",
                                                  "consent_flash", "consent_url", "consent_checkup"))]:
        del ss[k]
    ss["consent_for"] = client_id

view = consent.overview(actor, client_id, now=now, notice_days=cfg["CONSENT_NOTICE_DAYS"])
status = view["status"]
template = view["template"]



def _day(d):
    return d.strftime("%d %b %Y") if d else "—"


a, b, c, d = st.columns(4)
a.metric("Consent", status.label)
b.metric("Checklist version", f"v{status.version}" if status.version else "—",
         help=text.md("The practice's current checklist is v{version}.", version=template["version"]))
c.metric("Confirmed", _day(status.confirmed_at))
d.metric("Renewal due", _day(status.renews_at), help=text.md("Expires {day} if not renewed.", day=_day(status.expires_at)))

flash = ss.pop("consent_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])
if ss.get("consent_url"):
    st.write(text.md("The consent link (it works once the client opens it; it expires in {days:g} days). Copy it and "
                      "pass it on privately:", days=cfg["LINK_TTL_CONSENT_DAYS"]))
    st.code(ss["consent_url"], language=None)

errors = ss.get("consent_errors", {})
with st.expander("Renew consent" if status.counts else "Go through the checklist",
                 expanded=status.state != "active" or bool(errors),
                 icon=":material/checklist:"):
    with st.form("consent_discussion", clear_on_submit=False, border=False):
        discussed = []
        for item in template["items"]:
            if st.checkbox(text.md("{title}", title=item["title"]), key=f"consent_discussed_{item['key']}",
                           help=text.md("{text}", text=item["text"])):
                discussed.append(item["key"])
        field_error(errors, "discussed")
        tech_ok = st.checkbox("I checked with the client that they can open a link and use the form",
                              key="consent_tech_ok")
        field_error(errors, "tech_ok")
        tech_note = st.text_area("How you checked (optional)", key="consent_tech_note", max_chars=500,
                                 placeholder="For example: opened a test link on their phone in session")
        field_error(errors, "tech_note")
        left, mid, right = st.columns(3)
        by_email = left.form_submit_button("Email the consent link", type="primary")
        by_copy = mid.form_submit_button("Make a link to copy")
        draft = right.form_submit_button("Save without sending")
    if by_email or by_copy or draft:
        form = {"discussed": discussed, "tech_ok": tech_ok, "tech_note": tech_note}
        ss.pop("consent_url", None)
        if draft:
            _, errs = consent.record_discussion(actor, client_id, form, now=now)
            ss["consent_errors"] = errs
            if not errs:
                ss["consent_flash"] = ("success", "Saved as a draft. Send the link when you're ready.")
        else:
            out = invites.consent_link(actor, client_id, form, now=now, via="email" if by_email else "copy", cfg=cfg)
            ss["consent_errors"] = out.errors
            if out.emailed:
                ss["consent_flash"] = ("success", "The consent link is on its way to the client.")
            elif out.url:
                ss["consent_url"] = out.url
            elif out.problem:
                ss["consent_flash"] = ("warning", out.problem + " The link was made: use \"Make a link to copy\" "
                                       "to pass it on another way.")
        if not ss["consent_errors"]:
            for k in [k for k in ss if str(k).startswith(("consent_discussed_", "consent_tech"))]:
                del ss[k]
        st.rerun()

if status.state != "withdrawn":
    with st.expander("Record that the client has withdrawn", icon=":material/front_hand:"):
        st.write("Use this when the client tells you they want to stop. Their links stop working at once and "
                 "nothing more is sent. You can go through the checklist again if they want to restart later.")
        if st.button("The client has withdrawn", key="consent_withdraw"):
            consent.withdraw_for(actor, client_id, now=now)
            ss["consent_flash"] = ("info", "Recorded: the client has withdrawn. Their links are switched off.")
            st.rerun()

st.subheader("Check-ups")
st.caption("A short check-up asks the client a few true/false statements about how Anchorstep works (the first is "
           "always about real-time monitoring), how useful it is and how comfortable they are with what you see. A "
           "wrong answer is corrected on the client's screen at once. Nothing here changes anything by itself.")
ups = checkups.history(actor, client_id, now=now, default_weeks=cfg["CONSENT_CHECKUP_WEEKS"])
due = ups["due"]
k1, k2 = st.columns(2)
k1.metric("Latest check-up", _day(ups["checkups"][0]["at"]) if ups["checkups"] else "none yet")
k2.metric("Next check-up due", _day(due.at) if due else "—",
          help=text.md("{why}", why=checkup_rules.REASONS[due.reason] if due else "No consent that counts."))
if ups["points"]:
    with st.container(border=True):
        st.markdown("**Suggested talking points for the next session** (suggestions only: nothing was changed)")
        for point in ups["points"]:
            text.show("- {point}", point=point)
checkup_flash = ss.pop("consent_checkup_flash", None)
if checkup_flash:
    getattr(st, checkup_flash[0])(checkup_flash[1])
if ss.get("consent_checkup_url"):
    st.write(text.md("The check-up link (it expires in {days:g} days). Copy it and pass it on privately:",
                     days=cfg["LINK_TTL_DAYS"]))
    st.code(ss["consent_checkup_url"], language=None)
if status.counts:
    left, right = st.columns(2)
    ask_email = left.button("Email a check-up link now", key="consent_checkup_email")
    ask_copy = right.button("Make a check-up link to copy", key="consent_checkup_copy")
    if ask_email or ask_copy:
        out = checkup_links.request_link(actor, client_id, now=now, via="email" if ask_email else "copy", cfg=cfg)
        ss.pop("consent_checkup_url", None)
        if out.problem:
            ss["consent_checkup_flash"] = ("warning", out.problem)
        elif out.emailed:
            ss["consent_checkup_flash"] = ("success", "The check-up link is on its way to the client.")
        else:
            ss["consent_checkup_url"] = out.url
        st.rerun()
for n, up in enumerate(ups["checkups"][:1]):
    with st.container(border=True, key="consent_checkup_latest"):
        text.show("**Latest check-up, {day}** (checklist v{version})", day=_day(up["at"]), version=up["template_version"])
        for a in up["answers"]:
            said = checkup_rules.ANSWER_LABELS[a["answer"]]
            if a["correct"]:
                text.show("✓ {statement} — answered {said}: understood.", statement=a["text"], said=said)
            else:
                text.show(":orange[:material/lightbulb:] {statement} — answered {said}: misconception caught and "
                          "corrected on the client's screen.", statement=a["text"], said=said)
        text.show("Usefulness {u} of 5 · comfort {c} of 5", u=up["usefulness"], c=up["comfort"])
        if up["change"]:
            text.show("Asked for: {change}", change=checkup_rules.CHANGES[up["change"]])
        if up["note"]:
            st.markdown("**The client's note, as written:**")
            text.typed(up["note"])
if ups["checkups"]:
    st.dataframe(pd.DataFrame([{
        "Date": _day(up["at"]), "Misconceptions corrected": ", ".join(
            a["text"] for a in up["answers"] if not a["correct"]) or "none",
        "Usefulness (1–5)": up["usefulness"], "Comfort (1–5)": up["comfort"],
        "Asked for": checkup_rules.CHANGES.get(up["change"] or "", ""), "Note": up["note"],
    } for up in ups["checkups"]]), hide_index=True, width="stretch", key="consent_checkup_history")
else:
    st.caption("No check-up answered yet.")

st.subheader("History")
if view["events"]:
    st.dataframe(pd.DataFrame([{
        "When (UTC)": e["at"].strftime("%Y-%m-%d %H:%M"), "What": consent.EVENT_LABELS.get(e["event"], e["event"]),
        "Who": e["actor_label"],
    } for e in view["events"]]), hide_index=True, width="stretch", key="consent_history")
else:
    st.caption("Nothing yet.")
