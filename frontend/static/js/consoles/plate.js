// House plate: send the device's position with the purpose, when the browser gives it
// (the access record keeps it). Without it the form still works.
const form = document.querySelector("[data-position-form]");
if (form && navigator.geolocation) {
  navigator.geolocation.getCurrentPosition(
    (position) => {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lng.value = position.coords.longitude.toFixed(6);
    },
    () => {},
    { maximumAge: 60000, timeout: 5000 },
  );
}
