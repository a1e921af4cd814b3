"""Partner integration: Open311 GeoReport v2 (partners.open311) and the NENA EIDO export
(partners.eido), over the referral loop of dispatch (dispatch.referrals)."""
