"""The facility contract's vocabulary: its columns, levels, location sources and site roles, and
the header and level names recognised in users' files (English and Vietnamese).

Every facility table (:mod:`planner.places.facilities`) has the columns of
:data:`FACILITY_COLUMNS`, in that order.
"""

from __future__ import annotations

#: The facility contract (docs/architecture.md), in order; extra columns follow them.
FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id",
    "name",
    "level",
    "kind",
    "specialty",
    "population",
    "capacity",
    "district",
    "commune",
    "scheme",
    "location_source",
    "lat",
    "lon",
    "hospital_id",
    "site_role",
    "site_name",
)


#: Levels of the health network, from the top.
LEVELS: tuple[str, ...] = ("regional", "district", "commune")


#: Where a location comes from (the Hanoi registry's order of preference is
#: ``planner.places.hanoi.LOCATION_ORDER``): a mapped facility (``osm``), an official or user position,
#: the unit's People's Committee, primary school or place of its name, the population-weighted
#: centre of its area, or a centroid. The last three are approximate (a warning, not an error).
LOCATION_SOURCES: tuple[str, ...] = (
    "osm",
    "official",
    "manual",
    "town_hall",
    "school",
    "place",
    "population_centre",
    "commune_centroid",
    "district_centroid",
)


APPROXIMATE_SOURCES: tuple[str, ...] = (
    "population_centre",
    "commune_centroid",
    "district_centroid",
)


#: The kind a unit gets when its file does not say.
DEFAULT_KIND = {"regional": "hospital", "district": "health_centre", "commune": "health_station"}


#: What a regional row is to its hospital: the ``main`` site (staff rotate from it under the
#: ``site_rule="main"`` rule) or another ``site``.
SITE_ROLES: tuple[str, ...] = ("main", "site")


#: ``site_role`` values recognised besides the English ones, after folding ("Cơ sở chính").
SITE_ROLE_ALIASES: dict[str, str] = {
    "chinh": "main",
    "co so chinh": "main",
    "co so": "site",
    "phu": "site",
    "co so phu": "site",
}


#: Columns a file must have (coordinates are found separately, ``level`` may be given as an option).
REQUIRED_COLUMNS: tuple[str, ...] = ("facility_id", "name", "level")


#: Header names recognised for each contract column, English and Vietnamese, compared after
#: folding (:func:`planner._vn.fold`: no accents or case, punctuation as spaces), so "Dân số",
#: "dan_so" and "DÂN SỐ" are all population and "Quận/Huyện" is the district.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "y", "vi do", "vido", "lat deg", "wardlat"),
    "lon": ("lon", "lng", "long", "longitude", "x", "kinh do", "kinhdo", "lon deg", "wardlon"),
    "facility_id": (
        "facility id",
        "facilityid",
        "id",
        "ma",
        "ma co so",
        "code",
        "unit id",
        "action id",
        "actionid",
    ),
    "name": ("name", "ten", "ten co so", "facility name", "name vi"),
    "level": ("level", "cap", "tuyen", "tuyen ky thuat"),
    "population": ("population", "pop", "dan so", "so dan", "tong dan so"),
    "capacity": ("capacity", "beds", "so giuong", "giuong benh", "so giuong benh", "cong suat"),
    "district": ("district", "quan huyen", "huyen", "quan", "ten quan huyen", "ten huyen"),
    "commune": ("commune", "ward", "xa phuong", "phuong xa", "xa", "phuong", "ten xa"),
    "kind": ("kind", "loai", "loai hinh"),
    "specialty": ("specialty", "chuyen khoa"),
    "hospital_id": ("hospital id", "hospitalid", "ma benh vien"),
    "site_role": ("site role", "siterole", "vai tro co so"),
    "site_name": ("site name", "sitename"),
}


#: ``level`` values recognised besides the English ones, after folding ("Tuyến huyện" is
#: district). The four regional hospitals are city-level ("tuyến thành phố") or "vùng".
LEVEL_ALIASES: dict[str, str] = {
    **{
        v: "regional"
        for v in ("vung", "tuyen vung", "tinh", "tuyen tinh", "thanh pho", "tuyen thanh pho")
    },
    **{v: "district" for v in ("huyen", "quan", "quan huyen", "tuyen huyen", "thi xa")},
    **{v: "commune" for v in ("xa", "phuong", "xa phuong", "tuyen xa", "thi tran")},
}
