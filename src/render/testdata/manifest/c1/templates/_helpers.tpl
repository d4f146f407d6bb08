{{ define "x" }}hi{{ end }}
kind: Service
