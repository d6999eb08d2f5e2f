// Demo script: proves the hashed script URL loaded and tells which version runs.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("script-status");
  if (status) {
    const version = document.querySelector('meta[name="app-version"]')?.content;
    status.textContent = `app.js loaded; this page runs version ${version}`;
  }
});
