"""Every table, in one place at the bottom of db/: the noun modules above import their tables from
here (and re-export them, so `db.plans.plan_steps` still names the same table), and a module that
must read another noun's table can do so without importing that noun's module. No queries here.

Order follows the foreign keys: practices and people first, then what hangs off a client."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, Float, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint, false, text, true)

from db.meta import UTCDateTime, metadata


practices = Table(
    "practices", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("crisis_resources", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Days from a client's confirmation until consent renewal is due; NULL: the CONSENT_RENEWAL_DAYS setting.
    Column("consent_renewal_days", Integer, nullable=True),
    # The name in the From line and subject of client emails; NULL: core.email_headers.DEFAULT_SENDER_NAME.
    Column("email_sender_name", String(120), nullable=True),
    # Whether the practice name appears inside client emails (never in the subject or From line).
    Column("email_shows_practice_name", Boolean, nullable=False, server_default=false()),
    # Weeks between consent check-ups; NULL: the CONSENT_CHECKUP_WEEKS setting (0013).
    Column("consent_checkup_weeks", Integer, nullable=True),
    # The language of its clients' pages, emails and calendar files unless a client has their own (core/i18n).
    Column("language", String(16), nullable=False, server_default="en"),
    # Practice policy: every account must complete two-factor sign-in (core.two_factor).
    Column("require_two_factor", Boolean, nullable=False, server_default=false()),
    # Hours an open safety flag waits before the admins are emailed; NULL: the SAFETY_ESCALATE_HOURS setting.
    Column("safety_escalate_hours", Integer, nullable=True),
    # How reliable change is worked out (core.reliable_change.RULES); NULL: the RELIABLE_CHANGE_RULE setting (0018).
    Column("reliable_change_rule", String(16), nullable=True),
)



clinicians = Table(
    "clinicians", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(100), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Two-factor sign-in: the authenticator secret encrypted with TWO_FACTOR_KEYS (never the key), the last
    # time step accepted (a code is accepted once), since when it is on, and whether an admin's reset asks
    # for a new setup at the next sign-in.
    Column("totp_secret", Text, nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    Column("two_factor_since", UTCDateTime, nullable=True),
    Column("two_factor_setup_required", Boolean, nullable=False, server_default=false()),
    # Staff emails (db/staff_outbox.py): where safety alerts go (NULL: the account email; they cannot be
    # turned off) and whether this person wants the weekly digest.
    Column("alert_email", String(254), nullable=True),
    Column("weekly_digest", Boolean, nullable=False, server_default=false()),
    CheckConstraint("role in ('admin', 'clinician')", name="role"),
)



clients = Table(
    "clients", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="RESTRICT"), nullable=False, index=True),
    Column("display_name", String(80), nullable=False),
    Column("email", String(254), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # The warm "you practised on N days this week" line after a submission (0012); the clinician can turn it off.
    Column("small_wins", Boolean, nullable=False, server_default=true()),
    # The client's language (core/i18n); NULL: the practice's. A code no longer offered falls back the same way.
    Column("language", String(16), nullable=True),
    CheckConstraint("status in ('active', 'paused', 'discharged')", name="status"),
)



audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="RESTRICT"), nullable=True),
    Column("actor_kind", String(16), nullable=False),  # clinician | client | system | anonymous
    Column("actor_id", Integer, nullable=True),
    Column("actor_label", String(120), nullable=False),
    Column("action", String(64), nullable=False),
    Column("client_id", Integer, nullable=True),  # no foreign key: the row outlives an erased client
    Column("detail", String(300), nullable=False, server_default=""),
    Index("ix_audit_events_practice_at", "practice_id", "at"),
    Index("ix_audit_events_client_id", "client_id"),
)



login_sessions = Table(
    "login_sessions", metadata,
    # The login session's key (64 hex characters). Named when each tab had its own secret stored hashed;
    # a tab resumed by the cookie could then not find its sign-in's row, and sign-out ended one tab only.
    Column("id_hash", String(64), primary_key=True),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("cookie_exp", Float, nullable=True),  # the exp_date inside the re-login cookie issued with it
    Column("ended_at", UTCDateTime, nullable=True),
    Column("end_reason", String(32), nullable=True),
    # The step still owed after the password: 'code' (two-factor) or 'setup' (policy); NULL: signed in.
    # A re-login cookie is honoured only for a session with nothing pending.
    Column("pending", String(8), nullable=True),
)


recovery_codes = Table(
    "recovery_codes", metadata,
    Column("id", Integer, primary_key=True),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),  # sha256 of the normalised code
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    UniqueConstraint("clinician_id", "code_hash", name="uq_recovery_codes_clinician_hash"),
)



consent_templates = Table(
    "consent_templates", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("checklist", Text, nullable=False),  # JSON list of {key, title, text}
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    # The checklist's language (core/i18n): a version may be stored in several, sharing its number.
    Column("language", String(16), nullable=False, server_default="en"),
    UniqueConstraint("practice_id", "version", "language", name="uq_consent_templates_version_language"),
)



consents = Table(
    "consents", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("template_id", Integer, ForeignKey("consent_templates.id", ondelete="RESTRICT"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("discussed", Text, nullable=False, server_default="[]"),  # JSON list of item keys
    Column("tech_ok", Boolean, nullable=False, server_default="0"),
    Column("tech_note", Text, nullable=False, server_default=""),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("confirmed_name", String(80), nullable=True),
    Column("confirmed_items", Text, nullable=True),
    Column("renews_at", UTCDateTime, nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("superseded_at", UTCDateTime, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Column("withdrawn_by", String(120), nullable=True),
)



# No foreign keys: like the audit log, the history outlives an erased client. No typed text in here.
consent_events = Table(
    "consent_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, nullable=False, index=True),
    Column("consent_id", Integer, nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("event", String(32), nullable=False),
    Column("actor_kind", String(16), nullable=False),  # clinician | client | system
    Column("actor_label", String(120), nullable=False),
)



client_links = Table(
    "client_links", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("purpose", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("revoked_reason", String(32), nullable=True),  # e.g. "withdrawn", "replaced", "clinician"
    CheckConstraint("purpose in ('consent', 'checkin', 'card', 'preferences', 'checkup')", name="purpose"),
)



plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("goal", String(300), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("finding_count", Integer, nullable=False, server_default="0"),  # audit findings of current steps
    Column("created_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status in ('active', 'archived')", name="status"),
)



plan_steps = Table(
    "plan_steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)



step_versions = Table(
    "step_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("step_id", Integer, ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("retired", Boolean, nullable=False, server_default="0"),
    Column("anchor", String(200), nullable=False),
    Column("behaviour", String(200), nullable=False),
    Column("duration_min", Integer, nullable=True),
    Column("days", String(20), nullable=False),  # "0,1,2" (Monday = 0)
    Column("window_start", String(5), nullable=False),
    Column("window_end", String(5), nullable=False),
    Column("level", Integer, nullable=False),
    Column("levels", Text, nullable=False),  # JSON list of per-level instructions
    Column("barrier", String(200), nullable=False),
    Column("if_then", String(200), nullable=False),
    Column("no_barrier", Boolean, nullable=False),
    Column("mastery_k", Integer, nullable=False),
    Column("mastery_n", Integer, nullable=False),
    Column("distress_tolerance", Boolean, nullable=False),
    Column("template_key", String(40), nullable=False),
    Column("created_by", Integer, nullable=False),
    Index("ix_step_versions_step_valid_from", "step_id", "valid_from"),
)



level_changes = Table(
    "level_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("step_id", Integer, ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("from_level", Integer, nullable=False),
    Column("to_level", Integer, nullable=False),
    Column("reason", String(300), nullable=False),
    Column("clinician_id", Integer, nullable=False),
)



plan_templates = Table(
    "plan_templates", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(40), nullable=False),
    Column("name", String(80), nullable=False),
    Column("goal", String(300), nullable=False),
    Column("step", Text, nullable=False),  # JSON, the fields of core.plans.FIELDS
    Column("created_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("practice_id", "key"),
)



sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("on_date", Date, nullable=False),
    Column("created_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("client_id", "on_date", name="uq_sessions_client_date"),
)



safety_flags = Table(
    "safety_flags", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("source", String(16), nullable=False),  # checkin | measure | skill
    Column("source_id", Integer, nullable=False),  # the check-in or response; for a skill use, its step
    # A skill use's idempotency key: one flag per hard moment, whichever screen rated it high (0012).
    Column("episode", String(64), nullable=True),
    Column("reason", String(300), nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("reviewed_by", Integer, nullable=True),
    Column("review_note", Text, nullable=True),
    # Staff emails about this flag (db/staff_outbox.py): the alert that told its clinician (one per flag,
    # several flags may fold into one alert) and when the escalation to the admins was planned.
    Column("alert_id", Integer, nullable=True),
    Column("alerted_at", UTCDateTime, nullable=True),
    Column("escalated_at", UTCDateTime, nullable=True),
    CheckConstraint("source in ('checkin', 'measure', 'skill')", name="source"),
    UniqueConstraint("client_id", "episode", name="uq_safety_flags_episode"),
)



measure_assignments = Table(
    "measure_assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("measure", String(8), nullable=False),
    Column("cadence", String(8), nullable=False),
    Column("created_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    CheckConstraint("measure in ('phq9', 'gad7', 'who5', 'pcl5')", name="measure"),
    CheckConstraint("cadence in ('weekly', 'once')", name="cadence"),
)



measure_responses = Table(
    "measure_responses", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("assignment_id", Integer, ForeignKey("measure_assignments.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("measure", String(8), nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("total", Integer, nullable=False),
    Column("band", String(64), nullable=False),
    UniqueConstraint("client_id", "idempotency_key"),
)



# The baseline a clinician picked for an assignment's reliable change (none: its first answer) (0018).
measure_baselines = Table(
    "measure_baselines", metadata,
    Column("id", Integer, primary_key=True),
    Column("assignment_id", Integer, ForeignKey("measure_assignments.id", ondelete="CASCADE"), nullable=False,
           unique=True),
    Column("response_id", Integer, ForeignKey("measure_responses.id", ondelete="CASCADE"), nullable=False),
    Column("chosen_by", Integer, nullable=False),
    Column("chosen_at", UTCDateTime, nullable=False),
)



measure_answers = Table(
    "measure_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("response_id", Integer, ForeignKey("measure_responses.id", ondelete="CASCADE"), nullable=False),
    Column("item", Integer, nullable=False),  # 1-based, as printed on the questionnaire
    Column("answer", Integer, nullable=False),  # the item's score: 0..3 (PHQ-9, GAD-7), 0..4 (PCL-5), 0..5 (WHO-5)
    UniqueConstraint("response_id", "item"),
    CheckConstraint("answer between 0 and 5", name="answer"),
)



checkins = Table(
    "checkins", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("mood", Integer, nullable=False),
    Column("distress", Integer, nullable=False),
    Column("thought", Text, nullable=False, server_default=""),
    Column("context_where", String(100), nullable=False, server_default=""),
    Column("context_with", String(100), nullable=False, server_default=""),
    Column("corrects_id", Integer, ForeignKey("checkins.id", ondelete="CASCADE"), nullable=True),
    UniqueConstraint("client_id", "idempotency_key"),
    CheckConstraint("mood between 0 and 10", name="mood"),
    CheckConstraint("distress between 0 and 10", name="distress"),
    Index("ix_checkins_client_id_local_date", "client_id", "local_date"),  # date ranges per client (0009)
    Index("ix_checkins_client_id_submitted_at", "client_id", "submitted_at"),  # newest per client (0010)
)



checkin_steps = Table(
    "checkin_steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("checkin_id", Integer, ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("step_id", Integer, ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("version_id", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(16), nullable=True),
    Column("label", String(32), nullable=True),
    CheckConstraint("status in ('done', 'partly', 'not_today')", name="status"),
)



# A client's own questions on the daily check-in (0017): at most three active, one per place (a partial
# unique index), each a 0–10 scale with the clinician's two end words or yes/no. The wording lives in
# versions: a change of wording ends the old version and starts a new series, and the old answers stay
# with the version they answered.
personal_items = Table(
    "personal_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),  # 1..3, the order on the check-in
    Column("kind", String(8), nullable=False),  # scale | yesno
    Column("created_by", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    CheckConstraint("kind in ('scale', 'yesno')", name="kind"),
    CheckConstraint("position between 1 and 3", name="position"),
    Index("uq_personal_items_active_position", "client_id", "position", unique=True,
          sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
)



personal_item_versions = Table(
    "personal_item_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("personal_items.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("wording", String(120), nullable=False),  # the clinician's words, shown as text
    Column("low_word", String(40), nullable=True),  # scale only: what 0 means
    Column("high_word", String(40), nullable=True),  # scale only: what 10 means
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime, nullable=True),  # NULL: the item's current wording
    Column("created_by", Integer, nullable=False),
)



# One answer to one version in one check-in (yes/no stored as 1/0). Immutable like check-ins.
personal_item_answers = Table(
    "personal_item_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("checkin_id", Integer, ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False),
    Column("version_id", Integer, ForeignKey("personal_item_versions.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("value", Integer, nullable=False),
    UniqueConstraint("checkin_id", "version_id"),
    CheckConstraint("value between 0 and 10", name="value"),
)



# One use of a step in the moment (0012). Immutable; DELETE is refused while the client exists, so the
# rows leave only with the client (erasure deletes the client row and the foreign key cascades).
skill_uses = Table(
    "skill_uses", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("step_id", Integer, nullable=False, index=True),  # no foreign key: see migration 0012
    Column("version_id", Integer, nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),  # when the client reached for the skill
    Column("saved_at", UTCDateTime, nullable=False),
    Column("local_date", Date, nullable=False),  # started_at in the client's zone
    Column("local_time", String(5), nullable=False),  # "HH:MM", the same
    Column("before", Integer, nullable=True),
    Column("after", Integer, nullable=True),
    Column("helped", Boolean, nullable=True),
    Column("duration_s", Integer, nullable=True),
    Column("struggling", Boolean, nullable=False, server_default=false()),  # started from "I'm struggling"
    Column("corrects_id", Integer, ForeignKey("skill_uses.id", ondelete="CASCADE"), nullable=True),
    UniqueConstraint("client_id", "idempotency_key"),
    CheckConstraint("before between 0 and 10", name="before"),
    CheckConstraint("after between 0 and 10", name="after"),
    CheckConstraint("duration_s >= 0", name="duration_s"),
    Index("ix_skill_uses_client_id_local_date", "client_id", "local_date"),
    info={"leaves_with_client": True},
)



reminder_outbox = Table(
    "reminder_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),  # opaque id shown to the email provider
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("step_id", Integer, ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("slot", String(5), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False, server_default="due"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("claimed_by", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("provider_id", String(200), nullable=True),
    Column("reason", String(300), nullable=True),  # why failed / expired / cancelled; never mail content
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("client_id", "step_id", "local_date", "slot", name="uq_reminder_outbox_key"),
    CheckConstraint("status in ('due', 'claimed', 'sending', 'sent', 'failed', 'expired', 'cancelled')",
                    name="status"),
    Index("ix_reminder_outbox_status_next", "status", "next_attempt_at"),
)



reminder_prefs = Table(
    "reminder_prefs", metadata,
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
    Column("paused_at", UTCDateTime, nullable=True),
    Column("paused_by", String(16), nullable=True),  # "client" | "clinician"
    Column("quiet_start", String(5), nullable=True),
    Column("quiet_end", String(5), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)



worker_heartbeats = Table(
    "worker_heartbeats", metadata,
    Column("worker", String(64), primary_key=True),
    Column("last_pass_at", UTCDateTime, nullable=True),  # last pass that finished without error
    Column("last_error_at", UTCDateTime, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    # The last passes that planned staff emails (db/staff_outbox.py): alerts and escalations; digests.
    Column("last_alert_pass_at", UTCDateTime, nullable=True),
    Column("last_digest_pass_at", UTCDateTime, nullable=True),
)



staff_outbox = Table(
    "staff_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),  # opaque id shown to the email provider
    # alert:{recipient}:{first flag} | escalation:{flag}:{admin} | digest:{clinician}:{ISO year-week}
    Column("dedupe_key", String(80), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("practice_id", Integer, ForeignKey("practices.id", ondelete="CASCADE"), nullable=False),
    Column("clinician_id", Integer, ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("flag_id", Integer, nullable=True),  # an escalation's flag
    Column("flag_count", Integer, nullable=False, server_default="0"),  # flags folded into an alert
    Column("hours", Integer, nullable=True),  # an escalation's "unreviewed for N hours"
    Column("due_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False, server_default="due"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("claimed_by", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("provider_id", String(200), nullable=True),
    Column("reason", String(300), nullable=True),  # why failed / cancelled; never mail content
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("kind in ('safety_alert', 'escalation', 'digest')", name="kind"),
    CheckConstraint("status in ('due', 'claimed', 'sending', 'sent', 'failed', 'cancelled')", name="status"),
    Index("ix_staff_outbox_status_next", "status", "next_attempt_at"),
)



# Consent check-ups (0013): what the client answered, one immutable row per submit (a trigger refuses
# UPDATE; DELETE stays possible for erasure), keyed by the form's idempotency key.
consent_checkups = Table(
    "consent_checkups", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("consent_id", Integer, ForeignKey("consents.id", ondelete="CASCADE"), nullable=False),
    Column("template_version", Integer, nullable=False),  # the checklist version its statements came from
    Column("scales_version", Integer, nullable=False),  # core.checkups.SCALES_VERSION
    Column("idempotency_key", String(64), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("usefulness", Integer, nullable=False),
    Column("comfort", Integer, nullable=False),
    Column("misconceptions", Integer, nullable=False),  # statements answered wrongly or "not sure"
    Column("change", String(8), nullable=True),  # times | pause | stop: what the client asked for
    Column("note", Text, nullable=False, server_default=""),
    UniqueConstraint("client_id", "idempotency_key"),
    CheckConstraint("usefulness between 1 and 5", name="usefulness"),
    CheckConstraint("comfort between 1 and 5", name="comfort"),
    CheckConstraint("change in ('times', 'pause', 'stop')", name="change"),
    Index("ix_consent_checkups_client_id_submitted_at", "client_id", "submitted_at"),
)



consent_checkup_answers = Table(
    "consent_checkup_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("checkup_id", Integer, ForeignKey("consent_checkups.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("statement_key", String(32), nullable=False),
    Column("statement_text", String(300), nullable=False),  # our words as shown, never typed by a person
    Column("answer", String(8), nullable=False),
    Column("correct", Boolean, nullable=False),
    UniqueConstraint("checkup_id", "position"),
    CheckConstraint("answer in ('true', 'false', 'unsure')", name="answer"),
)



# Each time a check-up was asked for: by the clinician, or by the worker when one fell due. The unique
# key (client, due_key) is the worker's claim: two workers never email the same check-up twice.
consent_checkup_requests = Table(
    "consent_checkup_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("requested_by", String(120), nullable=False),
    Column("due_key", String(64), nullable=False),
    UniqueConstraint("client_id", "due_key"),
    CheckConstraint("reason in ('schedule', 'renewal', 'clinician')", name="reason"),
)



# Follow-up of a due questionnaire (db/measure_followups.py), one row per assignment and due period:
# when the client's reminder mentioned it (once per period) and when it was marked missed.
measure_followups = Table(
    "measure_followups", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("assignment_id", Integer, ForeignKey("measure_assignments.id", ondelete="CASCADE"), nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("nudged_at", UTCDateTime, nullable=True),
    Column("nudge_outbox_id", Integer, nullable=True),  # the reminder that mentioned it
    Column("missed_at", UTCDateTime, nullable=True),
    UniqueConstraint("assignment_id", "period_start"),
)


# Rate limits (0021, db/ratelimit.py): one row per hit a limit allowed, so every app replica counts the
# same hits. The source is stored as an HMAC (core.ratelimit.key), never an address or a session id.
rate_limit_hits = Table(
    "rate_limit_hits", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # "ip" | "session"
    Column("key_hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_rate_limit_hits_key_hash_at", "key_hash", "at"),  # counting one source's recent hits
    Index("ix_rate_limit_hits_at", "at"),  # pruning hits that left the window
)


# The caseload's per-client figures (0022, db/caseload_figures.py): adherence over the client's last 7 and
# 28 days and the 7-day mood and distress means, kept as computed for the client's local day. A cache of
# what the check-ins and plans already hold (derived health data: erased with the client, not exported);
# any row whose key no longer matches (another day, another zone, a newer check-in, a changed plan) is
# computed again, and a check-in or a plan change deletes the client's row in its own transaction.
caseload_figures = Table(
    "caseload_figures", metadata,
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    # What they were computed for: the client's local day and zone, their newest check-in's and newest plan
    # change's times ("2026-12-01|Europe/London|2026-11-30T19:02:11+00:00|2026-11-02T10:00:00+00:00").
    Column("computed_for", String(200), nullable=False),
    Column("figures", Text, nullable=False),  # JSON: the three adherence periods' counts, the four means
    Column("computed_at", UTCDateTime, nullable=False),
)
