"""Distances on the earth's surface, for points given as WGS84 lat/lng."""

import numpy as np

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE_LAT = 111_000.0


def distance_m(lat1, lng1, lat2, lng2):
    """Great-circle (haversine) distance in metres; scalars or numpy arrays."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(np.subtract(lng2, lng1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
