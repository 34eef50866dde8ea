// Draws the OpenAPI description of /api/ with Swagger UI, served from our own static files.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: false,
    tryItOutEnabled: false
  });
});
