# Adds `<label>: <value>` (settings; default team: unassigned) to objects
# created or updated without that label.
package policy

default label := "team"

label := data.label

default value := "unassigned"

value := data.value

request := input.request

labels := object.get(object.get(request.object, "metadata", {}), "labels", {})

needs_label if {
	request.operation in {"CREATE", "UPDATE"}
	not labels[label]
}

# JSON pointer escaping (RFC 6901).
escape(s) := replace(replace(s, "~", "~0"), "/", "~1")

patch := [{"op": "add", "path": "/metadata/labels", "value": {label: value}}] if {
	needs_label
	not request.object.metadata.labels
}

patch := [{"op": "add", "path": concat("/", ["/metadata/labels", escape(label)]), "value": value}] if {
	needs_label
	request.object.metadata.labels
}

response := {
	"uid": request.uid,
	"allowed": true,
	"patchType": "JSONPatch",
	"patch": base64.encode(json.marshal(patch)),
} if patch

response := {"uid": request.uid, "allowed": true} if not patch

main := {
	"apiVersion": input.apiVersion,
	"kind": "AdmissionReview",
	"response": response,
}
