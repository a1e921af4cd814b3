// 走失人员 forms: the place fields offer the standard addresses (address-pick.js fills the point).
import { watchAddressField } from "./address-pick.js";

watchAddressField(document.querySelector(".missing-page")?.dataset.addressUrl);
