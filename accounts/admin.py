"""User admin that shows each person's roles and byline fields; partner sites and their
API keys."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Max, Q
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from accounts.models import Partner, PartnerAPIKey, User
from kb.models.publication import advance_access

# The package registers its generic key model; the API accepts only partners' keys, so
# showing the other model would invite issuing keys that never work.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "credentials", "roles", "is_active", "is_staff")
    list_filter = ("groups", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email", "credentials")
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Byline", {"fields": ("display_name", "credentials")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("Byline", {"fields": ("display_name", "credentials", "email")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"


def _announce_key(request, api_key: PartnerAPIKey, key: str) -> None:
    """The plain key exists only now (it is stored hashed): show it this once."""
    messages.warning(
        request,
        f"New API key for {api_key.partner} ({api_key.name}): {key} — copy it now and send "
        "it to the partner securely; it cannot be shown again.",
    )


class PartnerAPIKeyInline(admin.TabularInline):
    """A partner's keys. Adding a row issues a new key, shown once; ticking "revoked"
    refuses the key from then on (for good: a revoked key cannot be restored)."""

    model = PartnerAPIKey
    fields = ("name", "prefix", "created", "last_used_at", "expiry_date", "revoked")
    readonly_fields = ("prefix", "created", "last_used_at")
    extra = 0
    can_delete = False  # revoke instead, so the record of the key stays
    verbose_name = "API key"
    verbose_name_plural = "API keys (add a row to issue a new key)"


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "active", "throttle_rate", "usable_keys",
                    "last_used", "created_at")  # fmt: skip
    list_filter = ("active",)
    search_fields = ("name", "contact_email")
    fields = ("name", "contact_email", "active", "throttle_rate", "created_at")
    readonly_fields = ("created_at",)
    inlines = [PartnerAPIKeyInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                usable_key_count=Count("api_keys", filter=Q(api_keys__revoked=False)),
                last_used_value=Max("api_keys__last_used_at"),
            )
        )

    @admin.display(description="Usable keys", ordering="usable_key_count")
    def usable_keys(self, obj: Partner) -> int:
        return obj.usable_key_count

    @admin.display(description="Last used", ordering="last_used_value")
    def last_used(self, obj: Partner):
        return obj.last_used_value or "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is not PartnerAPIKey:
            return super().save_formset(request, form, formset, change)
        for api_key in formset.save(commit=False):
            if api_key._state.adding:
                key = PartnerAPIKey.objects.assign_key(api_key)
                api_key.save()
                _announce_key(request, api_key, key)
            else:
                api_key.save()
        formset.save_m2m()


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    """Every key of every partner: when each was last used, and revocation in bulk."""

    list_display = ("prefix", "name", "partner", "created", "last_used_at", "expiry_date",
                    "_has_expired", "revoked")  # fmt: skip
    list_filter = ("revoked", "partner")
    list_select_related = ("partner",)
    search_fields = ("name", "prefix", "partner__name")
    actions = ["revoke_keys"]

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), "last_used_at")
        return (*fields, "partner") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        key = PartnerAPIKey.objects.assign_key(obj)
        obj.save()
        _announce_key(request, obj, key)

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        advance_access()  # a bulk update sends no signal: no process may keep using them
        self.message_user(request, f"{count} key(s) revoked.", messages.SUCCESS)
