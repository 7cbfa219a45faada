# Denies Pods with privileged containers; with the setting
# denyPrivilegeEscalation (default true) also containers that set
# allowPrivilegeEscalation: true.
package policy

default exempt_images := []

exempt_images := data.exemptImages

default deny_escalation := true

deny_escalation := data.denyPrivilegeEscalation

containers contains c if {
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some c in input.request.object.spec[field]
}

exempt(image) if image in exempt_images

exempt(image) if {
	some e in exempt_images
	endswith(e, "*")
	startswith(image, trim_suffix(e, "*"))
}

violations contains msg if {
	some c in containers
	c.securityContext.privileged == true
	not exempt(c.image)
	msg := sprintf("container %v must not run privileged", [c.name])
}

violations contains msg if {
	deny_escalation
	some c in containers
	c.securityContext.allowPrivilegeEscalation == true
	not exempt(c.image)
	msg := sprintf("container %v must not allow privilege escalation", [c.name])
}

response := {"uid": input.request.uid, "allowed": true} if {
	input.request.operation == "DELETE"
}

response := {"uid": input.request.uid, "allowed": true} if {
	input.request.operation != "DELETE"
	count(violations) == 0
}

response := {
	"uid": input.request.uid,
	"allowed": false,
	"status": {"code": 403, "message": concat("; ", sort(violations))},
} if {
	input.request.operation != "DELETE"
	count(violations) > 0
}

main := {
	"apiVersion": input.apiVersion,
	"kind": "AdmissionReview",
	"response": response,
}
