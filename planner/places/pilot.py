"""The Hanoi pilot, a fact of the Hanoi registry: Ba Vì district paired with Xanh Pon.

Defined once here (places is below both the pairing and the outputs): the pairing pins it
(:func:`planner.pairing.explain.pilot_pins`) and the map and report mark it.
"""

from __future__ import annotations

#: The pilot: Ba Vì district paired with Xanh Pon General Hospital.
PILOT_HOSPITAL_ID = "hn-reg-xanhpon"
PILOT_DISTRICT = "Huyện Ba Vì"
#: The Hanoi pilot as ``(district, hospital_id)`` pairs (pinned by
#: :func:`planner.pairing.explain.pilot_pins`).
HANOI_PILOT: tuple[tuple[str, str], ...] = ((PILOT_DISTRICT, PILOT_HOSPITAL_ID),)

__all__ = ["HANOI_PILOT", "PILOT_DISTRICT", "PILOT_HOSPITAL_ID"]
