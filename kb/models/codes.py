"""Clinical codes of a condition (ICD-10, ICD-11, SNOMED CT, MeSH).

Partners map our articles to their own records by code, as MedlinePlus Connect does
(``?code=ICD-10|G12.21``). Codes describe the condition, not the text of one revision, so
they sit on the condition and are edited with it.
"""

from __future__ import annotations

from django.db import models

from kb.models.publication import PublicQuerySet


class CodeSystem(models.TextChoices):
    ICD10 = "ICD-10", "ICD-10"
    ICD11 = "ICD-11", "ICD-11"
    SNOMED = "SNOMED-CT", "SNOMED CT"
    MESH = "MeSH", "MeSH"


class ConditionCode(models.Model):
    condition = models.ForeignKey("kb.Condition", on_delete=models.CASCADE, related_name="codes")
    system = models.CharField(max_length=16, choices=CodeSystem.choices)
    code = models.CharField(
        max_length=40, help_text="As the code system writes it, e.g. G12.21, 8C70.Y, D020274."
    )
    display = models.CharField(
        max_length=200, blank=True, help_text="The code system's own name for the code."
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["system", "code"]
        verbose_name = "clinical code"
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "system", "code"],
                name="kb_conditioncode_unique_per_condition",
                violation_error_message="This condition already carries that code.",
            ),
            models.CheckConstraint(
                condition=~models.Q(code=""), name="kb_conditioncode_code_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["system", "code"], name="kb_code_lookup")]

    def __str__(self) -> str:
        return f"{self.system} {self.code}"

    def save(self, *args, **kwargs):
        self.code = self.code.strip()
        self.display = self.display.strip()
        super().save(*args, **kwargs)
