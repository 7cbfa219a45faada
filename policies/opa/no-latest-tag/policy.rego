# Denies Pods whose containers use an image without a tag, or tagged latest.
# Settings: exemptImages (exact images, or prefixes ending in "*").
package policy

default exempt_images := []

exempt_images := data.exemptImages

containers contains c if {
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some c in input.request.object.spec[field]
}

tag(image) := split(last, ":")[1] if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
}

tag(image) := "latest" if {
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

exempt(image) if image in exempt_images

exempt(image) if {
	some e in exempt_images
	endswith(e, "*")
	startswith(image, trim_suffix(e, "*"))
}

violations contains msg if {
	input.request.operation != "DELETE"
	some c in containers
	not contains(c.image, "@")
	tag(c.image) == "latest"
	not exempt(c.image)
	msg := sprintf("container %v uses image %v: pin a version tag or a digest", [c.name, c.image])
}

response := {"uid": input.request.uid, "allowed": true} if count(violations) == 0

response := {
	"uid": input.request.uid,
	"allowed": false,
	"status": {"code": 403, "message": concat("; ", sort(violations))},
} if count(violations) > 0

main := {
	"apiVersion": input.apiVersion,
	"kind": "AdmissionReview",
	"response": response,
}
