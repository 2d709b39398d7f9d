"""The five roles and the permissions each holds: the single source of truth for the groups.

Groups are created by a migration (common 0002) and kept in step with this table after every
`migrate` (a post_migrate hook), so a permission added by a later app reaches its role without a
hand-made change. A user may hold several roles; each view checks a permission, never a group name.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.apps.registry import Apps


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    permissions: tuple[str, ...]


COUNSELOR = "Counselor"
CASHIER = "Cashier"
COLLECTIONS_OFFICER = "Collections officer"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"

# What every desk role needs on an account: find it, read it, log a contact, update contact details,
# adapt and print a standard letter for the customer (and print it again).
ACCOUNT_DESK = (
    "accounts.view_account",
    "accounts.add_contact",
    "accounts.change_account",
    "letters.add_sentletter",
    "letters.view_sentletter",
)

# What collections officers do; supervisors hold it too, to review and step in.
COLLECTIONS_DESK = (
    "policy.use_whatif",
    "collections_app.view_batchrun",
    "collections_app.add_batchrun",
    "collections_app.approve_shutoff_list",
    "collections_app.change_shutoffcandidate",
    "collections_app.view_serviceorder",
    "collections_app.add_serviceorder",
    "collections_app.change_serviceorder",
    "collections_app.dispatch_serviceorder",
    "collections_app.complete_serviceorder",
    "collections_app.view_notice",
    "collections_app.add_notice",
    "collections_app.add_noticebatch",
    "collections_app.change_noticebatch",
    "collections_app.add_contactattempt",
    "collections_app.add_medicalcertificate",
    "collections_app.add_appeal",
    "collections_app.change_appeal",
    "collections_app.view_securitydeposit",
    "collections_app.add_securitydeposit",
    "collections_app.change_securitydeposit",
    "collections_app.view_writeoff",
    "collections_app.add_writeoff",
    "collections_app.view_agencyreferral",
    "collections_app.add_agencyreferral",
    "collections_app.change_agencyreferral",
    "collections_app.view_bankruptcycase",
    "collections_app.add_bankruptcycase",
    "collections_app.change_bankruptcycase",
    "collections_app.view_smallclaim",
    "collections_app.add_smallclaim",
    "collections_app.change_smallclaim",
    "collections_app.add_creditreferenceletter",
    "collections_app.view_creditreferenceletter",
    "policy.add_weatherday",
    "policy.view_policyversion",
    "collections_app.request_refund",
    "collections_app.view_refund",
)

# A counselor's own work; supervisors hold it too, to review and step in.
COUNSELING_DESK = (
    "counseling.add_hardshipinterview",
    "counseling.view_hardshipinterview",
    "counseling.add_arrangement",
    "counseling.view_arrangement",
    "counseling.change_arrangement",
    "counseling.add_pledge",
    "counseling.view_pledge",
    "counseling.change_pledge",
    "counseling.add_referral",
    "counseling.view_agency",
    "counseling.add_programenrollment",
    "counseling.view_letter",
    "counseling.change_letter",
)

ROLES: tuple[Role, ...] = (
    Role(
        COUNSELOR,
        "Hardship interviews, payment arrangements, referrals and pledges.",
        (
            "common.use_counseling",
            *ACCOUNT_DESK,
            "accounts.add_adjustment",
            "accounts.change_service",
            *COUNSELING_DESK,
            "policy.use_whatif",
            "policy.view_policyversion",
            "collections_app.add_medicalcertificate",
            "collections_app.add_appeal",
        ),
    ),
    Role(
        CASHIER,
        "Walk-in payments, receipts, returned checks and drawer balancing.",
        (
            "common.use_cashiering",
            *ACCOUNT_DESK,
            "accounts.transfer_payment",
            "accounts.change_service",
            "payments.add_payment",
            "payments.view_payment",
            "payments.add_drawersession",
            "payments.return_payment",
            "collections_app.request_refund",
        ),
    ),
    Role(
        COLLECTIONS_OFFICER,
        "Shutoff lists, notices, service orders, deposits and write-offs.",
        (
            "common.use_collections",
            *ACCOUNT_DESK,
            "accounts.add_adjustment",
            "payments.view_payment",
            "payments.return_payment",
            *COLLECTIONS_DESK,
        ),
    ),
    Role(
        SUPERVISOR,
        "Dashboards, approvals, quality review and the audit trail.",
        (
            "common.use_supervision",
            "common.view_audit",
            *ACCOUNT_DESK,
            "accounts.add_adjustment",
            "accounts.approve_adjustment",
            "accounts.close_any_follow_up",
            "accounts.transfer_payment",
            "accounts.change_service",
            "accounts.view_ledgercheckrun",
            "accounts.view_fund",
            "payments.view_payment",
            "payments.view_all_sessions",
            "payments.signoff_drawersession",
            "payments.void_any_payment",
            "payments.return_payment",
            "payments.add_bankdeposit",
            "payments.change_bankdeposit",
            "payments.export_gl",
            "payments.import_payment_file",
            *COUNSELING_DESK,
            "counseling.approve_arrangement",
            "counseling.post_agency_payment",
            *COLLECTIONS_DESK,
            "collections_app.approve_writeoff",
            "collections_app.approve_refund",
            "collections_app.waive_securitydeposit",
            "policy.add_policyversion",
        ),
    ),
    Role(
        ADMINISTRATOR,
        "Users and roles, integration tokens, bill imports, reference data and the audit trail.",
        (
            "common.use_administration",
            "common.view_audit",
            "common.view_utilitycontact",
            "common.change_utilitycontact",
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
            "common.view_integrationtoken",
            "common.add_integrationtoken",
            "common.change_integrationtoken",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "accounts.add_billimport",
            "accounts.view_billimport",
            "accounts.view_fund",
            "accounts.add_fund",
            "accounts.change_fund",
            "accounts.view_reasoncode",
            "accounts.add_reasoncode",
            "accounts.change_reasoncode",
            "counseling.view_agency",
            "counseling.add_agency",
            "counseling.change_agency",
            "counseling.view_povertyguideline",
            "counseling.add_povertyguideline",
            "counseling.change_povertyguideline",
            "counseling.view_creditauthority",
            "counseling.add_creditauthority",
            "counseling.change_creditauthority",
            "policy.view_policyversion",
            "policy.add_policyversion",
            "policy.view_holiday",
            "policy.add_holiday",
            "policy.change_holiday",
            "policy.delete_holiday",
            "collections_app.view_collectionagency",
            "collections_app.add_collectionagency",
            "collections_app.change_collectionagency",
            "reports.view_checklistquestion",
            "reports.add_checklistquestion",
            "reports.change_checklistquestion",
            "letters.view_standardletter",
            "letters.add_standardletter",
            "letters.change_standardletter",
        ),
    ),
)

ROLE_NAMES = tuple(role.name for role in ROLES)


def roles_sync(*, apps: Apps = global_apps) -> list[str]:
    """Make each role's group hold exactly its permissions. Returns permissions not yet created."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    missing: list[str] = []
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                missing.append(dotted)
            else:
                wanted.append(perm)
        group.permissions.set(wanted)
    return missing
