/* MathJax 2.7 settings of the feedback pages, read by MathJax.js when it loads (this file comes first).
 * TeX between $...$, $$...$$, \(...\) and \[...\] is typeset as HTML with the STIX-Web fonts of the page's
 * own folder. The Safe extension keeps a student's TeX from making links to scripts, styles or ids, or from
 * loading extensions. When typesetting is over, <html> gets data-math="typeset". */
window.MathJax = {
  config: ["TeX-AMS-MML_HTMLorMML-full.js", "Safe.js"],
  MMLorHTML: {prefer: "HTML"},
  tex2jax: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  "HTML-CSS": {
    availableFonts: [],
    preferredFont: null,
    webFont: "STIX-Web",
    imageFont: null,
    linebreaks: {automatic: true}
  },
  displayAlign: "center",
  messageStyle: "none",
  showMathMenu: false,
  menuSettings: {zoom: "None"},
  AuthorInit: function () {
    MathJax.Hub.Register.StartupHook("End", function () {
      document.documentElement.setAttribute("data-math", "typeset");
    });
  }
};
