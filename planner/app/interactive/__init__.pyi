from .explorer import Explorer as Explorer
from .explorer import explore as explore
from .session import Session as Session
