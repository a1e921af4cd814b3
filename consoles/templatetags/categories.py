"""The category tree in templates."""

from django import template

from incidents.categories import category_linkage, category_path

register = template.Library()


@register.filter
def path(category) -> str:
    """刑事案件 › 盗窃 › 电动车被盗"""
    return category_path(category)


@register.filter
def linkage(category) -> str:
    """119 or 120 when the category's calls are handed to that service too."""
    return category_linkage(category)
