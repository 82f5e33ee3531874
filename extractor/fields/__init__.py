"""Field components: small callables `component(ctx) -> list[Suggestion]`."""
from extractor.fields.followup import FollowUp
from extractor.fields.industry import Industry
from extractor.fields.money import Budget
from extractor.fields.parties import Contact, CustomerName, DecisionRoles
from extractor.fields.signals import Obstacle, Stage, Tags

COMPONENTS = [CustomerName(), Contact(), Stage(), FollowUp(), Obstacle(), Budget(), Industry(), DecisionRoles(), Tags()]
