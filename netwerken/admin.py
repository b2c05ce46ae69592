from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Funding, Membership, Organisation, OutgoingEmail, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Rechten", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Data", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


class FundingInline(admin.TabularInline):
    model = Funding
    fk_name = "organisation"
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "municipality", "kind", "help_type", "phase"]
    list_filter = ["kind", "help_type", "phase"]
    search_fields = ["name", "slug", "municipality"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FundingInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.kind == Organisation.Kind.PROVIDER:
            # A new buurthulp organisation starts set up: every app adds its defaults (kinds of help, ...).
            from .services import organisation_setup

            organisation_setup(organisation=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_volunteer", "is_coordinator", "is_professional", "is_org_admin"]
    list_filter = ["organisation"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]
