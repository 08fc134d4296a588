"""Flag bits of a customer's score (one ``uint8`` bitmask per customer)."""

SERVICE_GAP = 1  # ruptura de atendimento: not visited/called within its frequency
PURCHASE_LAPSE = 2  # ruptura de positivação: missed its usual purchase cycle
RESCUE = 4  # far past several cycles: a rescue case, not a routine visit
COLLECTION = 8  # overdue receivables past the tolerance
CREDIT_BLOCKED = 16  # available credit below the average ticket
NEW_CUSTOMER = 32  # first purchase (or record) within the new-customer window
FIELD_REACTIVATION = 64  # a rescue case the company's policy sends straight to a field visit

FLAG_NAMES = {
    SERVICE_GAP: "service_gap",
    PURCHASE_LAPSE: "purchase_lapse",
    RESCUE: "rescue",
    COLLECTION: "collection",
    CREDIT_BLOCKED: "credit_blocked",
    NEW_CUSTOMER: "new_customer",
    FIELD_REACTIVATION: "field_reactivation",
}


def flag_names(mask: int) -> list[str]:
    """Names of the flags set in ``mask``."""
    return [name for bit, name in FLAG_NAMES.items() if mask & bit]
