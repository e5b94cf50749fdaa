/* Loaded (not deferred) from <head>: marks the page as having JavaScript before it is drawn,
 * so the "please turn on JavaScript" notice is hidden at once; without JavaScript it shows. */
document.documentElement.classList.add("js");
