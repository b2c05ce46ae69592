"""matching's permissions, from netwerken's role predicates (loaded by rules' autodiscovery)."""

import rules

from netwerken.rules import is_coordinator, is_org_admin, is_professional, is_volunteer

rules.add_perm("matching.view_requests", is_coordinator)
rules.add_perm("matching.intake", is_coordinator)
rules.add_perm("matching.change_request", is_coordinator)
rules.add_perm("matching.propose", is_coordinator)
rules.add_perm("matching.manage_categories", is_org_admin)
rules.add_perm("matching.view_volunteers", is_coordinator)
rules.add_perm("matching.intake_volunteer", is_coordinator)
# A volunteer's own pages: profile, pause, offers, matches, their data.
rules.add_perm("matching.own_offers", is_volunteer)
rules.add_perm("matching.own_profile", is_volunteer)
# The wijkteam: the queue, taking over, notes, referrals both ways.
rules.add_perm("matching.backstop", is_professional)
rules.add_perm("matching.manage_social_map", is_org_admin)
# Escalating a request: the coordinator from the request page (a volunteer from their own match page).
rules.add_perm("matching.escalate", is_coordinator)
# Signals and improvement proposals: the staff (coordinator and professional); the thresholds also the org admin.
rules.add_perm("matching.view_signals", is_coordinator | is_professional)
rules.add_perm("matching.change_signal", is_coordinator | is_professional)
rules.add_perm("matching.manage_improvements", is_coordinator | is_professional)
rules.add_perm("matching.signal_settings", is_org_admin | is_coordinator)
# Hours: a volunteer logs and sees their own; the coordinator sees everyone's per month.
rules.add_perm("matching.own_hours", is_volunteer)
rules.add_perm("matching.view_hours", is_coordinator)
# 'Een extraatje bijverdienen': the fee ledger is the coordinator's; a volunteer sees their own fees.
rules.add_perm("matching.manage_fees", is_coordinator)
rules.add_perm("matching.own_fees", is_volunteer)
