"""The translation table: every message the planner says to people, in English and Vietnamese.

One table (:data:`_MESSAGES`, the words only); :mod:`planner.outputs.i18n` looks messages up and
fills their ``{field}`` placeholders. The formatter is kept off the table so that a long entry
closes on its last line and the table stays one module.
"""

from __future__ import annotations

# fmt: off
#: key: (English, Vietnamese). Keys are grouped by where they are shown.
_MESSAGES: dict[str, tuple[str, str]] = {
    # -- units of measure and small words --------------------------------------------------
    "unit.min": ("min", "phút"),
    "unit.h": ("h", "giờ"),
    "unit.km": ("km", "km"),
    "unit.people": ("people", "người"),
    "unit.units": ("units", "đơn vị"),
    "yes": ("yes", "có"),
    "no": ("no", "không"),
    "missing": ("—", "—"),
    "and": ("and", "và"),
    "at_time": ("at {time}", "lúc {time}"),
    # -- levels, modes, specialties, location sources ------------------------------------
    "level.regional": ("regional hospital", "bệnh viện tuyến thành phố"),
    "level.district": ("district", "quận/huyện"),
    "level.commune": ("commune", "xã/phường"),
    "mode.car": ("by car", "bằng ô tô"),
    "mode.motorbike": ("by motorbike", "bằng xe máy"),
    "mode.ambulance": ("by ambulance", "bằng xe cứu thương"),
    "mode_name.car": ("car", "ô tô"),
    "mode_name.motorbike": ("motorbike", "xe máy"),
    "mode_name.ambulance": ("ambulance", "xe cứu thương"),
    "specialty.general": ("general", "đa khoa"),
    "specialty.cardiology": ("cardiology", "tim mạch"),
    "specialty.oncology": ("oncology", "ung bướu"),
    "specialty.obstetrics_gynecology": ("obstetrics and gynaecology", "sản phụ khoa"),
    "location.exact": ("mapped building", "theo bản đồ"),
    "location.town_hall": (
        "at the commune's People's Committee (its station is not mapped)",
        "tại UBND xã/phường (trạm y tế chưa có trên bản đồ)"),
    "location.school": (
        "at the commune's primary school (its station is not mapped)",
        "tại trường tiểu học của xã/phường (trạm y tế chưa có trên bản đồ)"),
    "location.place": (
        "at the commune's named place (its station is not mapped)",
        "tại địa danh của xã/phường (trạm y tế chưa có trên bản đồ)"),
    "location.population_centre": (
        "approximate: where most of its people live",
        "gần đúng: nơi phần lớn dân cư sinh sống"),
    "location.commune_centroid": (
        "approximate: centre of the commune",
        "gần đúng: tâm xã/phường"),
    "location.district_centroid": (
        "approximate: centre of the district",
        "gần đúng: tâm quận/huyện"),
    "road.motorway": ("motorway", "đường cao tốc"),
    "road.trunk": ("trunk road", "quốc lộ, trục chính"),
    "road.primary": ("primary road", "đường chính"),
    "road.secondary": ("secondary road", "đường cấp 2"),
    "road.tertiary": ("tertiary road", "đường cấp 3"),
    "road.minor": ("minor street", "đường nhỏ"),
    "road.service": ("service road, alley", "đường nội bộ, ngõ"),
    "road.track": ("track", "đường đất"),
    "road.path": ("path", "đường mòn"),
    "road.ramp": ("slip road", "đường nhánh"),
    "road.snap": ("building to the road", "từ cơ sở ra đường"),
    "road.ferry": ("ferry", "phà"),
    # -- the scenario (titles of map and report) -----------------------------------------
    "scenario.region": ("Hanoi", "Hà Nội"),
    "scenario.scheme.2024": (
        "2024 administrative units (30 districts, 579 communes)",
        "địa giới hành chính 2024 (30 quận/huyện, 579 xã/phường)"),
    "scenario.scheme.2025": (
        "units in force since 1 July 2025 (126 communes and wards)",
        "địa giới từ 1/7/2025 (126 xã/phường)"),
    "scenario.scheme.other": ("units of {scheme}", "đơn vị theo {scheme}"),
    "scenario.travel": ("{mode}, leaving at {time}", "{mode}, xuất phát lúc {time}"),
    "scenario.roads": ("OpenStreetMap roads of {date}", "đường bộ OpenStreetMap {date}"),
    "scenario.roads_file": ("roads from {file}", "đường bộ từ {file}"),
    "scenario.objective.pop-time": (
        "shortest travel time per person",
        "thời gian di chuyển bình quân đầu người ngắn nhất"),
    "scenario.objective.max-time": ("shortest longest trip", "chuyến xa nhất ngắn nhất"),
    "scenario.objective.balanced": (
        "short travel time with evenly shared work",
        "thời gian ngắn và chia đều công việc"),
    "scenario.objective.other": ("objective {name}", "mục tiêu {name}"),
    "scenario.demand_cells": (
        "costs from where people live",
        "chi phí theo nơi người dân sinh sống"),
    "scenario.balance": (
        "each hospital within ±{share} of a fair share",
        "mỗi bệnh viện trong khoảng ±{share} mức chia đều"),
    "scenario.site_rule.main": (
        "trips from each hospital's main site",
        "chuyến đi từ cơ sở chính của mỗi bệnh viện"),
    "month.1": ("January", "tháng 1"),
    "month.2": ("February", "tháng 2"),
    "month.3": ("March", "tháng 3"),
    "month.4": ("April", "tháng 4"),
    "month.5": ("May", "tháng 5"),
    "month.6": ("June", "tháng 6"),
    "month.7": ("July", "tháng 7"),
    "month.8": ("August", "tháng 8"),
    "month.9": ("September", "tháng 9"),
    "month.10": ("October", "tháng 10"),
    "month.11": ("November", "tháng 11"),
    "month.12": ("December", "tháng 12"),
    "month_year": ("{month} {year}", "{month}/{year}"),
    # -- the map -------------------------------------------------------------------------
    "map.title": ("Sister hospitals", "Bệnh viện kết nghĩa"),
    "map.title_region": ("Sister hospitals, {region}", "Bệnh viện kết nghĩa, {region}"),
    "map.legend": ("Legend", "Chú giải"),
    "map.name": ("Name", "Tên"),
    "map.level": ("Level", "Cấp"),
    "map.district": ("District", "Quận/huyện"),
    "map.population": ("Population", "Dân số"),
    "map.hospital": ("Sister hospital", "Bệnh viện kết nghĩa"),
    "map.travel_time": ("Travel time", "Thời gian di chuyển"),
    "map.travel_time_at": ("Travel time at {time}", "Thời gian di chuyển lúc {time}"),
    "map.next_best": ("Next-best hospital", "Bệnh viện thay thế tốt nhất"),
    "map.location": ("Location", "Vị trí"),
    "map.fixed": ("Fixed in advance", "Cố định trước"),
    "map.units": ("Units paired", "Số đơn vị kết nghĩa"),
    "map.specialty": ("Specialty", "Chuyên khoa"),
    "map.site": ("Site", "Cơ sở"),
    "map.site_main": ("{site} (main site)", "{site} (cơ sở chính)"),
    "map.site_units": ("Units whose trips use this site", "Số đơn vị đi đến cơ sở này"),
    "map.site_used": ("Site its trips use", "Cơ sở đi đến"),
    "map.sites_count": ("{name} · {count} sites", "{name} · {count} cơ sở"),
    "map.area": ("Area", "Khu vực"),
    "map.in_compare": ("In {name}", "Trong {name}"),
    "map.unreachable": ("no road to its sister hospital", "không có đường đến bệnh viện kết nghĩa"),
    "map.switch_slower": ("{name}: {minutes} slower", "{name}: chậm hơn {minutes}"),
    "map.switch_faster": ("{name}: {minutes} faster", "{name}: nhanh hơn {minutes}"),
    "map.switch_same": ("{name}: same time", "{name}: thời gian như nhau"),
    "map.hospitals": ("Regional hospitals", "Bệnh viện tuyến thành phố"),
    "map.links": ("Links to the sister hospital", "Đường nối đến bệnh viện kết nghĩa"),
    "map.routes": ("Road routes to the sister hospital", "Tuyến đường đến bệnh viện kết nghĩa"),
    "map.catchments": ("Areas served by each hospital", "Vùng phụ trách của từng bệnh viện"),
    "map.catchments_approx": (
        "Areas served by each hospital (approximate 2024 districts)",
        "Vùng phụ trách của từng bệnh viện (quận/huyện 2024, gần đúng)"),
    "map.choropleth": ("Travel time to the sister hospital", "Thời gian đến bệnh viện kết nghĩa"),
    "map.choropleth_district": (
        "Travel time (district mean, weighted by population)",
        "Thời gian di chuyển (trung bình quận/huyện, theo dân số)"),
    "map.units_layer": (
        "{name}: units and their sister hospital",
        "{name}: đơn vị và bệnh viện kết nghĩa"),
    "map.compare_layer": ("Sister hospitals in {name}", "Bệnh viện kết nghĩa trong {name}"),
    "map.changed": (
        "Units whose sister hospital differs in {name} ({count})",
        "Đơn vị có bệnh viện kết nghĩa khác trong {name} ({count})"),
    "map.changed_legend": (
        "Ring: the sister hospital in {name}, where it differs ({count} of {total} units)",
        "Vòng ngoài: bệnh viện kết nghĩa trong {name}, nếu khác ({count}/{total} đơn vị)"),
    "map.roads": ("Main roads", "Đường chính"),
    "map.boundaries": ("Boundaries and names", "Ranh giới và địa danh"),
    "map.marker_size": (
        "Circle size: population (square-root scale)",
        "Cỡ vòng tròn: dân số (thang căn bậc hai)"),
    "map.fixed_legend": ("Black outline: {what}", "Viền đen: {what}"),
    "map.unreachable_legend": (
        "Grey dot: no road to its sister hospital",
        "Chấm xám: không có đường đến bệnh viện kết nghĩa"),
    "map.unreachable_area": ("no road to the sister hospital", "không có đường đến bệnh viện"),
    "map.pairing": ("Proposal", "Phương án đề xuất"),
    "map.compare": ("Comparison", "Phương án so sánh"),
    "map.nearest": ("the nearest-hospital option", "phương án bệnh viện gần nhất"),
    "map.surface": (
        "Where people live: time to the sister hospital (WorldPop cells)",
        "Nơi dân cư sinh sống: thời gian đến bệnh viện kết nghĩa (ô dân số WorldPop)"),
    "map.surface_band": (
        "{span} {unit} to the sister hospital",
        "{span} {unit} đến bệnh viện kết nghĩa"),
    "map.surface_people": ("{people} people live here", "{people} người sống ở đây"),
    "map.base_osm": ("OpenStreetMap", "OpenStreetMap"),
    "map.base_light": ("Light background (CARTO)", "Nền sáng (CARTO)"),
    # -- what-if in the map (planner/outputs/_whatif.py, templates/whatif.js) -----------------------
    "whatif.title": ("What if…", "Thử phương án khác"),
    "whatif.intro": (
        "Choose another sister hospital for a district or a unit: the map and the figures "
        "follow. Nothing is sent anywhere; download the result as a file.",
        "Chọn bệnh viện kết nghĩa khác cho một quận/huyện hoặc một đơn vị: bản đồ và số liệu "
        "cập nhật ngay. Không có dữ liệu nào được gửi đi; tải kết quả về dưới dạng tệp."),
    "whatif.edited": ("With your changes", "Sau thay đổi"),
    "whatif.mean": ("Mean travel time (population-weighted)", "Thời gian trung bình (theo dân số)"),
    "whatif.mean_at": (
        "Mean travel time at {time} (population-weighted)",
        "Thời gian trung bình lúc {time} (theo dân số)"),
    "whatif.within": ("People within 60 min", "Dân số trong vòng 60 phút"),
    "whatif.within_at": ("People within 60 min at {time}", "Dân số trong vòng 60 phút lúc {time}"),
    "whatif.loads": ("People served by each hospital", "Dân số mỗi bệnh viện phụ trách"),
    "whatif.ratio": ("Largest / smallest load", "Tỷ số tải lớn nhất/nhỏ nhất"),
    "whatif.moved": ("Units moved", "Số đơn vị đã chuyển"),
    "whatif.no_time": (
        "Units with no road to their hospital",
        "Đơn vị không có đường đến bệnh viện"),
    "whatif.reset": ("Reset to the proposal", "Trở về phương án đề xuất"),
    "whatif.download": ("Download this pairing (CSV)", "Tải phương án này (CSV)"),
    "whatif.command": (
        "Same figures from the planner: {command}",
        "Số liệu tương tự từ phần mềm: {command}"),
    "whatif.districts": ("Districts", "Quận/huyện"),
    "whatif.units": ("Units", "Đơn vị"),
    "whatif.other_units": ("Other units", "Đơn vị khác"),
    "whatif.units_of": ("its {count} units, one by one", "{count} đơn vị, từng đơn vị"),
    "whatif.moves_together": (
        "moves with its {count} communes",
        "chuyển cùng {count} xã/phường"),
    "whatif.confirm": (
        "{name} is fixed in advance ({what}). Move it to {hospital} anyway?",
        "{name} đã được cố định trước ({what}). Vẫn chuyển sang {hospital}?"),
    "whatif.reassign": ("Sister hospital (what if)", "Bệnh viện kết nghĩa (thử)"),
    "whatif.in_proposal": ("In the proposal: {name}", "Trong phương án đề xuất: {name}"),
    "whatif.moved_legend": (
        "Dashed outline: moved from the proposal",
        "Viền nét đứt: đã chuyển so với phương án đề xuất"),
    "whatif.unassigned": ("not paired", "chưa kết nghĩa"),
    "whatif.areas_layer": ("Areas moved (what if)", "Khu vực đã chuyển (thử)"),
    # -- pins and the pilot ----------------------------------------------------------------
    "pin.pilot": ("the Ba Vì pilot", "mô hình thí điểm Ba Vì"),
    "pin.fixed": ("pair fixed in advance", "cặp được cố định trước"),
    "pin.pilot_short": ("pilot", "thí điểm"),
    "pin.fixed_short": ("fixed", "cố định"),
    # -- the report ----------------------------------------------------------------------
    "report.kicker": ("Sister-hospital planning", "Kế hoạch bệnh viện kết nghĩa"),
    "report.title": (
        "Proposed sister hospitals for {region}",
        "Đề xuất bệnh viện kết nghĩa cho {region}"),
    "report.title_plain": ("Proposed sister hospitals", "Đề xuất bệnh viện kết nghĩa"),
    "report.the_region": ("Hanoi", "Hà Nội"),
    "report.compared_with": ("Compared with “{name}”:", "So sánh với “{name}”:"),
    "report.decision": (
        "The decision: each unit and its sister hospital",
        "Quyết định: từng đơn vị và bệnh viện kết nghĩa"),
    "report.decision_districts": (
        "The decision: each district and its sister hospital",
        "Quyết định: từng quận/huyện và bệnh viện kết nghĩa"),
    "report.decision_note_districts": (
        "One row per district: the district's health centre and the commune stations that go with it. "
        "Times are the district health centre's trip; population is the whole district's.",
        "Mỗi dòng là một quận/huyện: trung tâm y tế quận/huyện và các trạm y tế xã đi cùng. "
        "Thời gian là chuyến đi của trung tâm y tế quận/huyện; dân số là của cả quận/huyện."),
    "report.decision_note_units": (
        "One row per unit, grouped by sister hospital.",
        "Mỗi dòng là một đơn vị, xếp theo bệnh viện kết nghĩa."),
    "report.col_unit": ("Unit", "Đơn vị"),
    "report.col_district": ("District", "Quận/huyện"),
    "report.col_hospital": ("Sister hospital", "Bệnh viện kết nghĩa"),
    "report.col_hospital_in": ("Sister hospital (“{name}”)", "Bệnh viện kết nghĩa (“{name}”)"),
    "report.col_time_at": ("Travel time at {time}", "Thời gian lúc {time}"),
    "report.col_time_in": ("Travel time (“{name}”)", "Thời gian (“{name}”)"),
    "report.col_population": ("Population", "Dân số"),
    "report.col_next_best": ("Next-best hospital", "Bệnh viện thay thế tốt nhất"),
    "report.col_switch": ("If switched", "Nếu đổi"),
    "report.communes_with": ("{count} communes", "{count} xã/phường"),
    "report.communes_split": (
        "{count} of its communes go to another hospital",
        "{count} xã/phường của quận/huyện này kết nghĩa với bệnh viện khác"),
    "report.group_districts": (
        "{count} districts · {people} people",
        "{count} quận/huyện · {people} người"),
    "report.group_units": ("{count} units · {people} people", "{count} đơn vị · {people} người"),
    "report.longer": ("{minutes} longer", "dài hơn {minutes}"),
    "report.shorter": ("{minutes} shorter", "ngắn hơn {minutes}"),
    "report.same_length": ("as long", "như nhau"),
    "report.switch_slower": ("{minutes} slower", "chậm hơn {minutes}"),
    "report.switch_faster": ("{minutes} faster", "nhanh hơn {minutes}"),
    "report.switch_same": ("same time", "như nhau"),
    "report.lead_stay": ("{count} of the {total} rows below would be faster with their "
        "next-best hospital; beside each, the table says why it stays.",
        "{count} trên {total} dòng dưới đây sẽ nhanh hơn với bệnh viện thay thế tốt nhất; bảng "
        "ghi lý do giữ nguyên bên cạnh từng dòng."),
    "report.lead_limits": (
        "The limits are the balance rule: each hospital within ±{balance} of a fair share.",
        "Giới hạn là quy tắc cân bằng: mỗi bệnh viện trong khoảng ±{balance} mức chia đều."),
    "report.lead_stay_none": ("No row below would be faster with another hospital.",
        "Không dòng nào dưới đây nhanh hơn nếu đổi sang bệnh viện khác."),
    "why.stays": ("Stays: {reasons}.", "Giữ nguyên: {reasons}."),
    "why.with_district": ("it moves only with all of {district}:",
        "chỉ đổi được cùng cả {district}:"),
    "why.pilot": ("the pilot keeps this pair", "mô hình thí điểm giữ cặp này"),
    "why.pin": ("the planners fixed this pair", "người lập kế hoạch đã cố định cặp này"),
    "why.full": ("{hospital} would reach {after}, {over} above its limit of {limit}",
        "{hospital} sẽ lên {after}, vượt giới hạn {limit} là {over}"),
    "why.floor": ("{hospital} would drop to {after}, {under} below its floor of {limit}",
        "{hospital} sẽ còn {after}, dưới mức tối thiểu {limit} là {under}"),
    "why.none": ("moving it alone breaks none of these rules",
        "đổi riêng dòng này không vi phạm quy tắc nào trong số đó"),
    "why.unknown": ("the report cannot check this run's load limits",
        "báo cáo không kiểm tra được giới hạn tải của lần chạy này"),
    "why.district": ("the district would be {minutes} slower on average",
        "cả quận/huyện sẽ chậm hơn trung bình {minutes}"),
    "report.changed_rows": (
        "{count} of {total} rows have another sister hospital in “{name}” (marked ≠).",
        "{count}/{total} dòng có bệnh viện kết nghĩa khác trong “{name}” (đánh dấu ≠)."),
    "report.changed_none": (
        "Every row has the same sister hospital in “{name}”.",
        "Mọi dòng đều có cùng bệnh viện kết nghĩa trong “{name}”."),
    "report.map": ("Map", "Bản đồ"),
    "report.map_note": (
        "Hover over or tap a circle for the unit's figures. Without internet the background tiles are "
        "missing; main roads and boundaries are drawn from the planner's own data.",
        "Di chuột hoặc chạm vào vòng tròn để xem số liệu của đơn vị. Khi không có internet, nền bản đồ "
        "không hiện; đường chính và ranh giới được vẽ từ dữ liệu của công cụ."),
    "report.compare": (
        "What the proposal costs and what it buys",
        "Chi phí và lợi ích của phương án"),
    "report.compare_note": (
        "The proposal beside the alternatives it was weighed against: {others}.",
        "Phương án đề xuất bên cạnh các phương án so sánh: {others}."),
    "report.figure": ("Figure", "Chỉ số"),
    "report.proposal": ("Proposal", "Phương án đề xuất"),
    "report.nearest": ("Nearest hospital", "Bệnh viện gần nhất"),
    "report.pilot_baseline": ("Pilot, others nearest", "Giữ thí điểm, còn lại gần nhất"),
    "report.row_mean": (
        "Average trip {when} (per person)",
        "Thời gian trung bình {when} (theo dân số)"),
    "report.row_max": ("Longest trip {when}", "Chuyến xa nhất {when}"),
    "report.row_within": (
        "People within {minutes} min {when}",
        "Dân số trong vòng {minutes} phút {when}"),
    "report.at_own": ("at each scenario's departure time", "lúc xuất phát của từng phương án"),
    "report.row_load_ratio": (
        "Load ratio: busiest / least busy hospital",
        "Tỷ số tải: bệnh viện nhiều nhất / ít nhất"),
    "report.row_gini": (
        "Unevenness of loads (Gini: 0 = equal)",
        "Độ chênh lệch tải (Gini: 0 = đều)"),
    "report.row_staff": ("Staff travel per month", "Thời gian đi lại của cán bộ mỗi tháng"),
    "report.row_consistency": (
        "Communes paired like their district",
        "Xã/phường kết nghĩa cùng bệnh viện với quận/huyện"),
    "report.row_unassigned": (
        "Units without a sister hospital",
        "Đơn vị chưa có bệnh viện kết nghĩa"),
    "report.row_unreachable": (
        "Units with no road to their hospital",
        "Đơn vị không có đường đến bệnh viện"),
    "report.row_gap": ("Gap to the optimum", "Chênh lệch so với tối ưu"),
    "report.per_hospital": ("Each regional hospital's share", "Phần việc của từng bệnh viện"),
    "report.col_name": ("Hospital", "Bệnh viện"),
    "report.col_districts": ("Districts", "Quận/huyện"),
    "report.col_units": ("Units", "Đơn vị"),
    "report.col_share": ("Share of people", "Tỷ lệ dân số"),
    "report.col_mean": ("Average trip", "Thời gian trung bình"),
    "report.col_longest": ("Longest trip", "Chuyến xa nhất"),
    "report.col_staff": ("Staff travel per month", "Cán bộ đi lại mỗi tháng"),
    "report.sites_note": (
        "{hospital} works at {count} sites; each unit's trips use {rule} — {sites}.",
        "{hospital} có {count} cơ sở; chuyến đi của mỗi đơn vị dùng {rule} — {sites}."),
    "report.site_rule.nearest": ("its nearest site", "cơ sở gần nhất"),
    "report.site_rule.main": ("the main site", "cơ sở chính"),
    "report.site_units": ("{site}: {units} units", "{site}: {units} đơn vị"),
    "report.per_hospital_note": (
        "Times at {time}. Staff travel: {visits} visits a month to every unit, there and back.",
        "Thời gian lúc {time}. Cán bộ đi lại: {visits} lượt mỗi tháng đến mỗi đơn vị, cả đi và về."),
    "report.charts": ("Charts", "Biểu đồ"),
    "report.chart_time": (
        "Travel time to the sister hospital at {time}, each dot one unit",
        "Thời gian đến bệnh viện kết nghĩa lúc {time}, mỗi chấm là một đơn vị"),
    "report.chart_load": ("People served by each hospital", "Dân số mỗi bệnh viện phụ trách"),
    "report.fair_share": ("fair share", "mức chia đều"),
    # -- where people live (population cells) --------------------------------------------
    "report.people": ("Where people live", "Nơi người dân sinh sống"),
    "report.people_grid": (
        "Here people are placed where they live: WorldPop's 2020 grid of cells about 1 km across, "
        "scaled so that every commune holds exactly its 2019 census population, each populated cell "
        "timed by road to the hospitals.",
        "Ở phần này, dân số được đặt theo nơi sinh sống: lưới ô khoảng 1 km của WorldPop năm 2020, "
        "được hiệu chỉnh để mỗi xã/phường có đúng dân số Tổng điều tra 2019; thời gian từ mỗi ô có "
        "dân đến các bệnh viện được tính theo đường bộ."),
    "report.people_grid_raw": (
        "Here people are placed where they live on a population grid (its raw values: no census to "
        "scale them to), each populated cell timed by road to the hospitals.",
        "Ở phần này, dân số được đặt theo nơi sinh sống trên lưới dân số (giá trị gốc, không có số "
        "liệu điều tra để hiệu chỉnh); thời gian từ mỗi ô có dân đến các bệnh viện được tính theo "
        "đường bộ."),
    "report.people_lead": (
        "At {time}, {within} of people live within 60 minutes of their sister hospital ({within_points} "
        "when each unit's people are counted at the unit's point). On average people live {mean} from "
        "it; 9 in 10 live within {p90}.",
        "Lúc {time}, {within} dân số sống trong vòng 60 phút đến bệnh viện kết nghĩa ({within_points} "
        "nếu tính toàn bộ dân của mỗi đơn vị tại vị trí đơn vị). Trung bình người dân sống cách bệnh "
        "viện kết nghĩa {mean}; 9/10 người dân sống trong vòng {p90}."),
    "report.people_demand_points": (
        "Pairing by where people live instead of by the units' points would give {units} of the {total} "
        "units another sister hospital ({districts}); people's average trip would be {mean_other} "
        "instead of {mean}.",
        "Nếu ghép theo nơi người dân sinh sống thay vì theo vị trí đơn vị, {units}/{total} đơn vị sẽ có "
        "bệnh viện kết nghĩa khác ({districts}); thời gian trung bình của người dân sẽ là {mean_other} "
        "thay vì {mean}."),
    "report.people_demand_points_same": (
        "Pairing by where people live instead of by the units' points would change no sister hospital.",
        "Ghép theo nơi người dân sinh sống thay vì theo vị trí đơn vị không làm thay đổi bệnh viện kết "
        "nghĩa nào."),
    "report.people_demand_cells": (
        "This pairing weighs where people live: a unit's cost is the average trip of its people from "
        "their cells. Pairing by the units' points instead would give {units} of the {total} units "
        "another sister hospital ({districts}); people's average trip would be {mean_other} instead "
        "of {mean}.",
        "Phương án này tính theo nơi người dân sinh sống: chi phí của một đơn vị là thời gian trung "
        "bình của người dân từ ô nơi họ ở. Nếu ghép theo vị trí đơn vị, {units}/{total} đơn vị sẽ có "
        "bệnh viện kết nghĩa khác ({districts}); thời gian trung bình của người dân sẽ là {mean_other} "
        "thay vì {mean}."),
    "report.people_demand_points_close": (
        "Pairing by where people live instead of by the units' points would give {units} of the {total} "
        "units another sister hospital ({districts}) for about the same average trip of people "
        "({mean}).",
        "Nếu ghép theo nơi người dân sinh sống thay vì theo vị trí đơn vị, {units}/{total} đơn vị sẽ có "
        "bệnh viện kết nghĩa khác ({districts}), với thời gian trung bình của người dân gần như không "
        "đổi ({mean})."),
    "report.people_demand_cells_close": (
        "This pairing weighs where people live: a unit's cost is the average trip of its people from "
        "their cells. Pairing by the units' points instead would give {units} of the {total} units "
        "another sister hospital ({districts}) for about the same average trip of people ({mean}).",
        "Phương án này tính theo nơi người dân sinh sống: chi phí của một đơn vị là thời gian trung "
        "bình của người dân từ ô nơi họ ở. Nếu ghép theo vị trí đơn vị, {units}/{total} đơn vị sẽ có "
        "bệnh viện kết nghĩa khác ({districts}), với thời gian trung bình của người dân gần như không "
        "đổi ({mean})."),
    "report.people_demand_cells_same": (
        "This pairing weighs where people live; pairing by the units' points instead would change no "
        "sister hospital.",
        "Phương án này tính theo nơi người dân sinh sống; ghép theo vị trí đơn vị cũng cho cùng bệnh "
        "viện kết nghĩa."),
    "report.and_more": ("{names} and {count} more", "{names} và {count} nơi khác"),
    "report.people_misled": (
        "Within districts the unit points mislead more: for {count} of {total} units the point is "
        "more than {minutes} minutes off the average trip of its people (most: {worst}).",
        "Trong từng quận/huyện, vị trí đơn vị sai lệch nhiều hơn: với {count}/{total} đơn vị, thời "
        "gian tính từ vị trí đơn vị lệch hơn {minutes} phút so với thời gian trung bình của người "
        "dân (nhiều nhất: {worst})."),
    "report.people_misled_none": (
        "No unit's point is more than {minutes} minutes off the average trip of its people.",
        "Không đơn vị nào có thời gian tính từ vị trí đơn vị lệch hơn {minutes} phút so với thời "
        "gian trung bình của người dân."),
    "report.people_misled_item": ("{name} {minutes}", "{name} {minutes}"),
    "report.people_table": (
        "Each district: from where people live, beside the unit points",
        "Từng quận/huyện: theo nơi người dân sinh sống, so với vị trí đơn vị"),
    "report.people_table_note": (
        "Average trip and 9 in 10 people within: the time to the sister hospital from where people "
        "live. Points differ by: the average counting each unit's people at the unit's point, minus "
        "the average from where they live; a negative figure means the points make trips look "
        "shorter than they are. Districts where the points are farthest from the truth come first.",
        "Trung bình và 9/10 người dân trong vòng: thời gian đến bệnh viện kết nghĩa tính từ nơi người "
        "dân sinh sống. Vị trí đơn vị lệch: thời gian trung bình khi tính toàn bộ dân của mỗi đơn vị "
        "tại vị trí đơn vị, trừ thời gian trung bình tính từ nơi người dân sinh sống; số âm nghĩa là "
        "vị trí đơn vị làm chuyến đi có vẻ ngắn hơn thực tế. Quận/huyện sai lệch nhiều nhất xếp trước."),
    "report.col_people": ("People", "Dân số"),
    "report.col_cells_mean": ("Average trip", "Trung bình"),
    "report.col_cells_p90": ("9 in 10 people within", "9/10 người dân trong vòng"),
    "report.col_cells_60": ("Within 60 min", "Trong 60 phút"),
    "report.col_points_minus": ("Points differ by", "Vị trí đơn vị lệch"),
    "report.curve_title": (
        "People within N minutes of a hospital by road, at {time}",
        "Dân số trong vòng N phút đến bệnh viện theo đường bộ, lúc {time}"),
    "report.curve_x": ("minutes (N)", "phút (N)"),
    "report.curve_y": ("people", "dân số"),
    "report.curve_sister": (
        "sister hospital, where people live",
        "bệnh viện kết nghĩa, theo nơi ở"),
    "report.curve_nearest": (
        "nearest hospital, where people live",
        "bệnh viện gần nhất, theo nơi ở"),
    "report.curve_sister_points": (
        "sister hospital, at the unit points",
        "bệnh viện kết nghĩa, theo vị trí đơn vị"),
    "report.curve_nearest_points": (
        "nearest hospital, at the unit points",
        "bệnh viện gần nhất, theo vị trí đơn vị"),
    "report.terms": ("Terms used in this report", "Giải thích thuật ngữ"),
    "term.sister": ("Sister hospital", "Bệnh viện kết nghĩa"),
    "term.sister_def": (
        "The regional hospital that transfers techniques to a district or commune unit, trains its staff, "
        "rotates doctors to it and takes its referrals.",
        "Bệnh viện tuyến thành phố chuyển giao kỹ thuật, đào tạo cán bộ, luân phiên bác sĩ về đơn vị quận/huyện "
        "hoặc xã/phường và tiếp nhận bệnh nhân chuyển tuyến từ đơn vị đó."),
    "term.trip": ("Travel time", "Thời gian di chuyển"),
    "term.trip_def.both": (
        "Door to door by road, the average of the trip from the hospital to the unit (staff visits) and "
        "back (referrals), leaving at the time shown.",
        "Thời gian đi đường bộ từ cửa đến cửa, trung bình của chiều từ bệnh viện đến đơn vị (cán bộ xuống "
        "đơn vị) và chiều ngược lại (chuyển tuyến), xuất phát vào giờ ghi kèm."),
    "term.trip_def.to_unit": (
        "Door to door by road, from the hospital to the unit (staff visits), leaving at the time shown.",
        "Thời gian đi đường bộ từ cửa đến cửa, từ bệnh viện đến đơn vị (cán bộ xuống đơn vị), "
        "xuất phát vào giờ ghi kèm."),
    "term.trip_def.to_hospital": (
        "Door to door by road, from the unit to the hospital (referrals), leaving at the time shown.",
        "Thời gian đi đường bộ từ cửa đến cửa, từ đơn vị đến bệnh viện (chuyển tuyến), xuất phát vào giờ ghi kèm."),
    "term.average": ("Average trip (per person)", "Thời gian trung bình (theo dân số)"),
    "term.average_def": (
        "Each unit's travel time weighted by the people it serves, so a district of 300,000 counts ten "
        "times a district of 30,000. People are counted once: a district's people are its communes' people.",
        "Thời gian của mỗi đơn vị được tính theo số dân đơn vị phục vụ: quận/huyện 300.000 dân có trọng số "
        "gấp mười quận/huyện 30.000 dân. Mỗi người chỉ được tính một lần."),
    "term.nearest": ("Nearest hospital", "Bệnh viện gần nhất"),
    "term.nearest_def": (
        "The alternative where every district goes to the regional hospital it reaches fastest, whatever "
        "the load on that hospital.",
        "Phương án mỗi quận/huyện kết nghĩa với bệnh viện đến nhanh nhất, không tính đến tải của bệnh viện."),
    "term.pilot": ("Pilot", "Thí điểm"),
    "term.pilot_def": (
        "The sister-hospital pilot already running: Xanh Pôn General Hospital with the health units of Ba Vì "
        "district. The proposal keeps it; the pilot alternative keeps it and sends every other district to "
        "its nearest hospital.",
        "Mô hình thí điểm đang thực hiện: Bệnh viện Đa khoa Xanh Pôn kết nghĩa với các đơn vị y tế huyện Ba Vì. "
        "Phương án đề xuất giữ nguyên; phương án so sánh “thí điểm” giữ thí điểm và cho các quận/huyện khác "
        "kết nghĩa với bệnh viện gần nhất."),
    "term.fixed": ("Fixed in advance", "Cố định trước"),
    "term.fixed_def": (
        "A pair decided before the calculation (such as the pilot); the calculation does not change it.",
        "Cặp kết nghĩa được quyết định trước khi tính toán (như mô hình thí điểm); tính toán không thay đổi cặp này."),
    "term.balance": ("Balance and fair share", "Cân bằng và mức chia đều"),
    "term.balance_def": (
        "A hospital's fair share is the population divided equally among the regional hospitals. The "
        "balance rule keeps each hospital's population within the stated margin of it, so no hospital "
        "carries most of the city.",
        "Mức chia đều là dân số chia đều cho các bệnh viện tuyến thành phố. Quy tắc cân bằng giữ dân số mỗi "
        "bệnh viện phụ trách trong biên độ ghi kèm quanh mức đó, để không bệnh viện nào gánh phần lớn thành phố."),
    "term.load_ratio": ("Load ratio", "Tỷ số tải"),
    "term.load_ratio_def": (
        "The population served by the busiest hospital divided by that of the least busy one: 1 means equal "
        "work, 10 means one hospital serves ten times as many people as another.",
        "Dân số bệnh viện nhiều nhất phụ trách chia cho dân số bệnh viện ít nhất phụ trách: 1 là đều nhau, "
        "10 là một bệnh viện phụ trách gấp mười lần bệnh viện khác."),
    "term.coverage": ("People within 60 minutes", "Dân số trong vòng 60 phút"),
    "term.coverage_def": (
        "The share of the population whose unit reaches its sister hospital within that time.",
        "Tỷ lệ dân số có đơn vị y tế đến được bệnh viện kết nghĩa trong khoảng thời gian đó."),
    "term.switch": ("Next-best hospital, if switched", "Bệnh viện thay thế, nếu đổi"),
    "term.switch_def": (
        "The best other hospital for that row and how much longer (or shorter) the average trip would be "
        "with it.",
        "Bệnh viện khác tốt nhất cho dòng đó và thời gian trung bình sẽ dài hơn (hoặc ngắn hơn) bao nhiêu "
        "nếu đổi sang bệnh viện đó."),
    "term.gap": ("Gap to the optimum", "Chênh lệch so với tối ưu"),
    "term.gap_def": (
        "How far the proposal could at most be from the best possible pairing under the same rules; 0% "
        "means it is proven to be the best.",
        "Khoảng cách tối đa giữa phương án và phương án tốt nhất có thể theo cùng quy tắc; 0% nghĩa là đã "
        "chứng minh là tốt nhất."),
    "term.cells": ("Where people live", "Nơi người dân sinh sống"),
    "term.cells_def": (
        "The population placed on a grid of map cells about 1 km across (WorldPop 2020) rather than "
        "all at its unit's point; the trip of each cell's people starts on the road nearest to them.",
        "Dân số được đặt trên lưới ô bản đồ khoảng 1 km (WorldPop 2020) thay vì dồn hết tại vị trí "
        "của đơn vị; chuyến đi của người dân trong mỗi ô bắt đầu từ con đường gần họ nhất."),
    "term.p90": ("9 in 10 people within", "9/10 người dân trong vòng"),
    "term.p90_def": (
        "The time within which 9 of every 10 people live; the farthest tenth live farther.",
        "Khoảng thời gian mà 9 trên 10 người dân sống trong phạm vi đó; một phần mười còn lại ở "
        "xa hơn."),
    "report.assumptions": ("Assumptions", "Giả định"),
    "assume.units": ("Units", "Đơn vị"),
    "assume.travel": ("Travel", "Di chuyển"),
    "assume.travel_text": (
        "{mode}; main figures leaving at {depart}, second figures leaving at {peak}.",
        "{mode}; số liệu chính xuất phát lúc {depart}, số liệu thứ hai xuất phát lúc {peak}."),
    "assume.travel_text_one": ("{mode}, leaving at {depart}.", "{mode}, xuất phát lúc {depart}."),
    "assume.traffic": ("Traffic", "Giao thông"),
    "assume.directions": ("Trips counted", "Chiều di chuyển"),
    "assume.sites": ("Hospitals with several sites", "Bệnh viện có nhiều cơ sở"),
    "assume.sites.nearest": (
        "A unit pairs with a hospital; its trips use the hospital's site nearest to it (the "
        "fastest for that pair).",
        "Đơn vị kết nghĩa với bệnh viện; chuyến đi của đơn vị dùng cơ sở gần nhất của bệnh viện "
        "(nhanh nhất cho cặp đó)."),
    "assume.sites.main": (
        "A unit pairs with a hospital; its trips use the hospital's main site, where its staff "
        "rotate from.",
        "Đơn vị kết nghĩa với bệnh viện; chuyến đi của đơn vị dùng cơ sở chính của bệnh viện, "
        "nơi cán bộ được cử đi."),
    "assume.demand": ("Cost of a unit", "Chi phí của một đơn vị"),
    "assume.demand.points": (
        "The trips from the unit's point (its health facility, or its commune's centre).",
        "Chuyến đi từ vị trí của đơn vị (cơ sở y tế, hoặc tâm xã/phường)."),
    "assume.demand.cells": (
        "The average trip of the unit's people from where they live (WorldPop cells); a unit without "
        "people of its own keeps its point's trips.",
        "Thời gian trung bình của người dân trong đơn vị, tính từ nơi họ ở (ô WorldPop); đơn vị "
        "không có dân riêng giữ chuyến đi từ vị trí của mình."),
    "assume.rule": ("How the pairing was chosen", "Cách chọn phương án"),
    "assume.rule_text": ("Goal: {objective}; {balance}.", "Mục tiêu: {objective}; {balance}."),
    "assume.rule_no_balance": (
        "Goal: {objective}; no balance rule.",
        "Mục tiêu: {objective}; không áp dụng quy tắc cân bằng."),
    "assume.whole_districts": (
        "Each district's communes go with their district.",
        "Các xã/phường đi cùng quận/huyện của mình."),
    "assume.split_units": (
        "Every unit is paired on its own (districts may be split).",
        "Mỗi đơn vị được ghép riêng (quận/huyện có thể bị tách)."),
    "assume.fixed": ("Fixed in advance", "Cố định trước"),
    "assume.fixed_pilot": (
        "the Ba Vì pilot (Ba Vì with Xanh Pôn)",
        "mô hình thí điểm Ba Vì (Ba Vì với Xanh Pôn)"),
    "assume.fixed_pilot_pairs": ("the pilot: {pairs}", "mô hình thí điểm: {pairs}"),
    "assume.fixed_pins": ("{count} pairs chosen by the planners: {pairs}",
        "{count} cặp do người lập kế hoạch chọn: {pairs}"),
    "assume.pair": ("{unit} with {hospital}", "{unit} với {hospital}"),
    "assume.unit_unknown": ("a unit not in this pairing", "một đơn vị không có trong phương án"),
    "assume.fixed_none": ("nothing", "không có"),
    "assume.load": ("Load of a hospital", "Tải của bệnh viện"),
    "assume.load.population": ("the people its units serve", "số dân các đơn vị phụ trách"),
    "assume.load.units": ("the number of its units", "số đơn vị"),
    "assume.load.capacity": ("the capacity of its units", "năng lực của các đơn vị"),
    "assume.specialty": ("Specialty needs", "Nhu cầu chuyên khoa"),
    "assume.specialty_none": ("not used", "không sử dụng"),
    "assume.specialty_file": ("from {file}", "theo tệp {file}"),
    "assume.population": ("Population", "Dân số"),
    "assume.population_text": (
        "2019 census, each person counted once.",
        "Tổng điều tra dân số 2019, mỗi người được tính một lần."),
    "assume.solver": ("Calculation", "Tính toán"),
    "assume.solver.optimal": (
        "proven best pairing under these rules (gap {gap}).",
        "đã chứng minh là phương án tốt nhất theo các quy tắc này (chênh lệch {gap})."),
    "assume.solver.time_limit": (
        "stopped at the time limit; at most {gap} from the best pairing.",
        "dừng khi hết thời gian; cách phương án tốt nhất tối đa {gap}."),
    "assume.solver.scored": (
        "a pairing made elsewhere, scored on the same roads.",
        "phương án lập ở nơi khác, được đánh giá trên cùng mạng đường."),
    "report.traffic": ("Traffic ({mode}): the share of free-flow speed by area and road",
        "Giao thông ({mode}): tỷ lệ so với tốc độ khi thông thoáng, theo khu vực và loại đường"),
    "report.col_area": ("Area", "Khu vực"),
    "report.col_roads": ("Roads", "Loại đường"),
    "report.col_share_at": ("At {time}", "Lúc {time}"),
    "area.core": ("city proper (inner wards)", "nội thành"),
    "area.suburban": ("city edge and towns", "ven nội thành và thị xã"),
    "area.rural": ("rural communes", "xã nông thôn"),
    "area.other": ("neighbouring provinces (roads near the border)",
        "tỉnh lân cận (đường sát ranh giới)"),
    "area.every": ("every area", "mọi khu vực"),
    "traffic.intro": ("The model slows traffic by area and type of road (table below).",
        "Mô hình giảm tốc độ theo khu vực và loại đường (bảng dưới)."),
    "traffic.even": ("At {time}, every road keeps {share} of its free-flow speed.",
        "Lúc {time}, mọi tuyến đường giữ {share} tốc độ khi thông thoáng."),
    "traffic.range": (
        "At {time}, from {low} of free-flow speed on {low_roads} ({low_area}) to {high} on "
        "{high_roads} ({high_area}).",
        "Lúc {time}, từ {low} tốc độ khi thông thoáng trên {low_roads} ({low_area}) đến {high} "
        "trên {high_roads} ({high_area})."),
    "traffic.span": ("from {start} to {end}", "từ {start} đến {end}"),
    "traffic.ferries_closed": ("River ferries do not run {spans}; trips then take the bridges.",
        "Phà qua sông không chạy {spans}; khi đó chuyến đi qua cầu."),
    "traffic.elsewhere": ("Outside Hanoi there is no area data: a road class slows alike everywhere.",
        "Ngoài Hà Nội không có dữ liệu khu vực: mỗi loại đường giảm tốc như nhau ở mọi nơi."),
    "traffic.ferry_wait": ("runs, {wait} wait to board", "có chạy, chờ lên phà {wait}"),
    "traffic.ferry_closed": ("closed", "không chạy"),
    "report.speeds": (
        "Road speeds ({mode}, free flow, before traffic)",
        "Tốc độ đường ({mode}, khi thông thoáng, chưa tính ùn tắc)"),
    "report.col_road": ("Road class", "Loại đường"),
    "report.col_speed": ("Speed (km/h)", "Tốc độ (km/h)"),
    "report.col_reason": ("Why", "Lý do"),
    "report.sources": ("Data sources and licences", "Nguồn dữ liệu và giấy phép"),
    "report.col_file": ("File", "Tệp"),
    "report.col_what": ("What", "Nội dung"),
    "report.col_licence": ("Licence, source", "Giấy phép, nguồn"),
    "report.osm": (
        "Map data © OpenStreetMap contributors (openstreetmap.org/copyright). Place names are the official "
        "Vietnamese names.",
        "Dữ liệu bản đồ © OpenStreetMap contributors (openstreetmap.org/copyright). Địa danh theo tên chính "
        "thức tiếng Việt."),
    "report.approximate": ("Units placed at approximate locations", "Đơn vị có vị trí gần đúng"),
    "report.approximate_text": (
        "{count} of {total} units are not mapped as buildings and are placed at the centre of their commune "
        "(or district); their times are approximate to within the size of that area. Count per district "
        "below; the full list is in {file}, beside this report.",
        "{count}/{total} đơn vị chưa có vị trí công trình trên bản đồ và được đặt ở tâm xã/phường (hoặc "
        "quận/huyện); thời gian của các đơn vị này sai số trong phạm vi kích thước khu vực đó. Số lượng "
        "theo quận/huyện ở dưới; danh sách đầy đủ trong tệp {file} cùng thư mục với báo cáo."),
    "report.approximate_none": (
        "Every unit has a mapped location.",
        "Mọi đơn vị đều có vị trí trên bản đồ."),
    "report.lead_pairing_districts": (
        "We propose to pair the {districts} districts ({units} units: each district's health centre "
        "and its commune health stations) with the {hospitals} regional hospitals as listed below.",
        "Đề xuất ghép {districts} quận/huyện ({units} đơn vị: trung tâm y tế quận/huyện và các "
        "trạm y tế xã/phường) với {hospitals} bệnh viện tuyến thành phố như bảng dưới đây."),
    "report.lead_pairing_units": (
        "We propose to pair the {units} units with the {hospitals} regional hospitals as listed below.",
        "Đề xuất ghép {units} đơn vị với {hospitals} bệnh viện tuyến thành phố như bảng dưới đây."),
    "report.lead_pairing_scored": (
        "This report scores a pairing of {units} units with {hospitals} regional hospitals, listed below.",
        "Báo cáo này đánh giá phương án ghép {units} đơn vị với {hospitals} bệnh viện tuyến thành phố, "
        "liệt kê dưới đây."),
    "report.lead_time": (
        "An average trip between a unit and its sister hospital takes {mean} at {depart} ({mean_peak} at {peak}).",
        "Một chuyến đi trung bình giữa đơn vị và bệnh viện kết nghĩa mất {mean} lúc {depart} ({mean_peak} lúc {peak})."),
    "report.lead_time_one": (
        "An average trip between a unit and its sister hospital takes {mean} at {depart}.",
        "Một chuyến đi trung bình giữa đơn vị và bệnh viện kết nghĩa mất {mean} lúc {depart}."),
    "report.lead_cost_more": (
        "That is {delta} more than if every district went to its nearest hospital.",
        "Như vậy dài hơn {delta} so với khi mỗi quận/huyện kết nghĩa với bệnh viện gần nhất."),
    "report.lead_cost_less": (
        "That is {delta} less than if every district went to its nearest hospital.",
        "Như vậy ngắn hơn {delta} so với khi mỗi quận/huyện kết nghĩa với bệnh viện gần nhất."),
    "report.lead_cost_same": (
        "That is as fast as sending every district to its nearest hospital.",
        "Nhanh bằng phương án mỗi quận/huyện kết nghĩa với bệnh viện gần nhất."),
    "report.lead_buys": (
        "In exchange the work is shared: the busiest hospital serves {ratio} times as many people as the "
        "least busy one, against {ratio_nearest} times with the nearest hospital; {covered} of people are "
        "within 60 minutes of their sister hospital ({covered_nearest} with the nearest hospital).",
        "Đổi lại, công việc được chia đều hơn: bệnh viện nhiều việc nhất phụ trách số dân gấp {ratio} lần "
        "bệnh viện ít việc nhất, so với {ratio_nearest} lần nếu chọn bệnh viện gần nhất; {covered} dân số "
        "ở trong vòng 60 phút đến bệnh viện kết nghĩa ({covered_nearest} nếu chọn bệnh viện gần nhất)."),
    "report.lead_buys_idle": (
        "In exchange the work is shared: the busiest hospital serves {ratio} times as many people as the "
        "least busy one, whereas with the nearest hospital {idle} would have no unit at all; {covered} of "
        "people are within 60 minutes of their sister hospital ({covered_nearest} with the nearest "
        "hospital).",
        "Đổi lại, công việc được chia đều hơn: bệnh viện nhiều việc nhất phụ trách số dân gấp {ratio} lần "
        "bệnh viện ít việc nhất, trong khi nếu chọn bệnh viện gần nhất thì {idle} không có đơn vị nào; "
        "{covered} dân số ở trong vòng 60 phút đến bệnh viện kết nghĩa ({covered_nearest} nếu chọn bệnh "
        "viện gần nhất)."),
    "report.lead_pilot_idle": (
        "The Ba Vì pilot (Ba Vì with Xanh Pôn) is kept. Against keeping the pilot and sending every other "
        "district to its nearest hospital, the average trip is {change} and the load ratio {ratio}, "
        "whereas there {idle} would have no unit at all.",
        "Mô hình thí điểm Ba Vì (Ba Vì với Xanh Pôn) được giữ nguyên. So với phương án giữ thí điểm và cho các "
        "quận/huyện khác kết nghĩa với bệnh viện gần nhất, thời gian trung bình {change}, và tỷ số tải là "
        "{ratio}, trong khi ở phương án đó {idle} không có đơn vị nào."),
    "report.lead_pilot": (
        "The Ba Vì pilot (Ba Vì with Xanh Pôn) is kept. Against keeping the pilot and sending every other "
        "district to its nearest hospital, the average trip is {change} and the load ratio goes from "
        "{ratio_pilot} to {ratio}.",
        "Mô hình thí điểm Ba Vì (Ba Vì với Xanh Pôn) được giữ nguyên. So với phương án giữ thí điểm và cho các "
        "quận/huyện khác kết nghĩa với bệnh viện gần nhất, thời gian trung bình {change} và tỷ số "
        "tải từ {ratio_pilot} thành {ratio}."),
    "report.lead_hardest": (
        "The hardest units to reach are {units}.",
        "Các đơn vị khó tiếp cận nhất là {units}."),
    "report.lead_hardest_item": (
        "{name} ({minutes} from {hospital})",
        "{name} ({minutes} đến {hospital})"),
    "report.lead_unreachable": (
        "{count} units have no road to their sister hospital and are left out of the times.",
        "{count} đơn vị không có đường đến bệnh viện kết nghĩa và không được tính vào thời gian."),
    "report.lead_compare": (
        "Compared with “{name}”: the average trip at {depart} is {mean_other} there; {changed} of {total} rows "
        "have another sister hospital.",
        "So với “{name}”: thời gian trung bình lúc {depart} ở đó là {mean_other}; {changed}/{total} dòng có "
        "bệnh viện kết nghĩa khác."),
    "report.generated": (
        "Written by the sister-hospital planner from the scores of this run.",
        "Được lập bởi công cụ lập kế hoạch bệnh viện kết nghĩa từ kết quả của lần chạy này."),
    "report.scenario_other": ("The other scenario: {scenario}", "Phương án so sánh: {scenario}"),
    # -- the CLI ---------------------------------------------------------------------------
    # -- the Jupyter explorer's figures table -----------------------------------------------
    "explorer.this_plan": ("this plan", "phương án này"),
    "explorer.previous_plan": ("previous plan", "phương án trước"),
    "explorer.nearest": ("nearest hospital", "bệnh viện gần nhất"),
    "explorer.mean_at": (
        "mean trip at {time} (per person)",
        "thời gian trung bình lúc {time} (theo dân số)"),
    "explorer.longest_at": ("longest trip at {time}", "chuyến xa nhất lúc {time}"),
    "explorer.within_at": (
        "people within 60 min at {time}",
        "dân số trong vòng 60 phút lúc {time}"),
    "explorer.load_ratio": ("largest / smallest load", "tỷ số tải lớn nhất/nhỏ nhất"),
    "explorer.moved": (
        "units with another hospital than before",
        "số đơn vị đổi bệnh viện so với trước"),
    "cli.summary_head": (
        "Sister-hospital pairing, {scenario}: {status}",
        "Ghép cặp bệnh viện kết nghĩa, {scenario}: {status}"),
    "cli.units": ("units paired", "số đơn vị"),
    "cli.mean": ("average trip at {time}", "thời gian trung bình lúc {time}"),
    "cli.mean_nearest": ("nearest hospital: {value}", "bệnh viện gần nhất: {value}"),
    "cli.longest": ("longest trip at {time}", "chuyến xa nhất lúc {time}"),
    "cli.within": ("people within 60 min", "dân số trong vòng 60 phút"),
    "cli.ratio": ("load ratio busiest/least", "tỷ số tải lớn nhất/nhỏ nhất"),
    "cli.ratio_idle": ("a hospital has no unit", "có bệnh viện không có đơn vị nào"),
    "cli.files": ("Files:", "Các tệp:"),
    "cli.score_head": (
        "Pairing {file}, {scenario}: scored",
        "Phương án {file}, {scenario}: đã đánh giá"),
    "cli.your_facilities": ("your facilities", "cơ sở của bạn"),
    "cli.trips.both": (
        "time = mean of the trips both ways",
        "thời gian = trung bình chuyến đi và về"),
    "cli.trips.to_unit": ("time = hospital to unit", "thời gian = từ bệnh viện đến đơn vị"),
    "cli.trips.to_hospital": ("time = unit to hospital", "thời gian = từ đơn vị đến bệnh viện"),
    "cli.status.optimal": (
        "optimal (proven within a relative gap of {gap})",
        "tối ưu (đã chứng minh, sai số tương đối {gap})"),
    "cli.status.time_limit": (
        "best found in {seconds} s, within {gap} of the optimum",
        "tốt nhất tìm được trong {seconds} giây, cách tối ưu tối đa {gap}"),
}
# fmt: on
