"""geosim: an agent-based scenario simulator of Indo-Pacific security, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("geosim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
