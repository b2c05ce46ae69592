from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Funding, Invitation, Membership, Organisation, OutgoingEmail, User


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

    def save_model(self, request, obj, form, change):
        from .services import user_name_changed

        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            user_name_changed(obj)


class FundingInline(admin.TabularInline):
    model = Funding
    fk_name = "organisation"
    extra = 0


class OrganisationAddForm(forms.ModelForm):
    admin_email = forms.EmailField(
        label=_("E-mailadres van de eerste beheerder"),
        required=False,
        help_text=_("Krijgt een uitnodiging om beheerder te worden (bij een financier: om de rapportages te lezen)."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "slug", "municipality", "kind", "help_type", "phase", "retention_months"]
        fields += ["intro", "phone", "email", "opening_hours", "address"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "municipality", "kind", "help_type", "phase"]
    list_filter = ["kind", "help_type", "phase"]
    search_fields = ["name", "slug", "municipality"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FundingInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new organisation starts set up (every app's defaults) with an invitation for its first admin.
        from .services import organisation_create

        organisation_create(organisation=obj, admin_email=form.cleaned_data.get("admin_email", ""), by=request.user)


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    readonly_fields = ["invited_by", "accepted_by", "accepted_at", "sent_at", "created_at"]

    def has_add_permission(self, request):
        # Invitations are made on the team page or with a new organisation: they need a mailed token.
        return False
