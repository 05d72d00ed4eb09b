"""User admin that shows each person's roles and byline fields."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


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
