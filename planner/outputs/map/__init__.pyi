from .build import map_html as map_html
from .build import pairing_map as pairing_map
from .build import save_map as save_map
from .invest import investment_map as investment_map
from .whatif import WhatIf as WhatIf
