"""bcdr-scan: which data resources would not survive the outage their landing zone must survive."""

__version__ = "0.1.0"
TOOL_NAME = "bcdr-scan"
INFORMATION_URI = "https://github.com/bcdr-scan/bcdr-scan"
