// Move keyboard and screen-reader focus to a failed form's error summary, so that the first
// thing announced after submitting is what went wrong and where (a script file of its own:
// pages carry no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary) summary.focus();
});
