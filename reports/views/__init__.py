from .dashboard import dashboard
from .programs import budget_list, program_detail, program_list

__all__ = ["dashboard", "program_list", "program_detail", "budget_list"]
