// Open the print dialog as soon as the receipt is laid out (receipt printers are the default).
window.addEventListener("load", function () { window.print(); });
