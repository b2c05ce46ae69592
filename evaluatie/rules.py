"""evaluatie's permissions, from netwerken's role predicates (loaded by rules' autodiscovery).

The org admin and the coordinator see the cycles of their own organisation with every breakdown; a funder
does not reach these staff pages (its report pages are its own).
"""

import rules

from netwerken.rules import is_coordinator, is_funder, is_org_admin

rules.add_perm("evaluatie.view_cycles", is_org_admin | is_coordinator)
rules.add_perm("evaluatie.manage_cycles", is_org_admin | is_coordinator)
# A coordinator writes a story; the org admin approves it before it can appear in a report.
rules.add_perm("evaluatie.write_story", is_coordinator)
rules.add_perm("evaluatie.approve_story", is_org_admin)
# The funder report of a cycle: the funders of the organisation read it and may ask for it to be built
# again, as its staff may; it holds aggregates only.
rules.add_perm("evaluatie.view_reports", is_funder | is_org_admin | is_coordinator)
rules.add_perm("evaluatie.request_report", is_funder | is_org_admin | is_coordinator)
