// Command template-oracle renders Go template text through Helm's own engine
// (helm.sh/helm/v4/pkg/engine), so that rudder's Rust template engine and chart renderer can be
// checked against the real thing.
//
// Every case is rendered as the only template of an in-memory chart (apiVersion v2, name
// "oracle", version 0.1.0), release "release" in namespace "default", values coalesced exactly as
// `helm template` does. Output is the rendered text, or Helm's error string.
//
// Usage:
//
//	template-oracle [-template TEXT | -template-file F] [-values YAML | -values-file F]
//	                [-helpers-file F] [-chart-values-file F] [-name t.yaml]
//	    one case; template read from stdin when neither -template nor -template-file is given.
//	    Prints the output exactly; on error prints the error to stderr and exits 1.
//	template-oracle -batch CASES.yaml|CASES.jsonl
//	    renders every case, one JSON object per line on stdout: {name, output} or {name, error}.
//	template-oracle -batch CASES.yaml -write EXPECTED.json
//	    writes the expected-results document (see tests/template-cases/README.md).
//	template-oracle -batch CASES.yaml -check EXPECTED.json
//	    re-renders and compares with EXPECTED.json; exits 1 on any difference.
//	template-oracle -funcs
//	    prints, one per line and sorted, the name of every function a Helm chart template can
//	    call: each candidate (Sprig's TxtFuncMap, text/template's builtins, Helm's additions) is
//	    probed by parsing {{if false}}{{NAME}}{{end}} through Helm's engine.
//	template-oracle -serve
//	    reads cases as JSON lines on stdin and answers each with one JSON line on stdout
//	    ({name, output} or {name, error}), flushed per case; used by hack/template-diff so
//	    that thousands of cases cross one pipe instead of one process per case.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/sprig/v3"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/engine"
	"sigs.k8s.io/yaml"
)

const (
	chartName   = "oracle"
	releaseName = "release"
	namespace   = "default"
)

// Case is one template to render, with its inputs.
type Case struct {
	Name string `json:"name"`
	// Note says what the case exercises (documentation only).
	Note string `json:"note,omitempty"`
	// Template is the text of the template under test.
	Template string `json:"template"`
	// TemplateName is its file name under templates/ (default "t.yaml").
	TemplateName string `json:"template_name,omitempty"`
	// Values is YAML text given as user values (like `helm template -f`).
	Values string `json:"values,omitempty"`
	// ChartValues is YAML text used as the chart's own values.yaml.
	ChartValues string `json:"chart_values,omitempty"`
	// Helpers is the text of templates/_helpers.tpl.
	Helpers string `json:"helpers,omitempty"`
	// Templates are extra templates: file name under templates/ -> text. Only the template
	// under test is reported; the others exist for include/template/define interplay.
	Templates map[string]string `json:"templates,omitempty"`
	// Files are non-template chart files (path relative to the chart root -> content), for .Files.
	Files map[string]string `json:"files,omitempty"`
	// Nondeterministic marks cases whose output changes between runs (random, time, crypto).
	Nondeterministic bool `json:"nondeterministic,omitempty"`
	// Match is a regular expression (Go RE2 syntax) the whole output must match; required
	// for nondeterministic cases, optional for others.
	Match string `json:"match,omitempty"`
}

// Result is a rendered case: the inputs plus exactly one of Output or Error (neither for
// nondeterministic cases, which are checked through Match).
type Result struct {
	Case
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
	// Warnings are the lines Helm logged while coalescing values or rendering (for example
	// "warning: skipped value for oracle.a: Not a table."), without timestamps.
	Warnings []string `json:"warnings,omitempty"`
}

// Expected is the document written by -write and compared by -check.
type Expected struct {
	Comment     string   `json:"comment"`
	Source      string   `json:"source"`
	HelmVersion string   `json:"helm_version"`
	Cases       []Result `json:"cases"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "template-oracle:", err)
		os.Exit(2)
	}
}

func run() error {
	var (
		tplText, tplFile, valText, valFile, helpersFile, chartValFile, name string
		batch, write, check                                                 string
		serve, funcs                                                        bool
	)
	flag.StringVar(&tplText, "template", "", "template text")
	flag.StringVar(&tplFile, "template-file", "", "read the template from this file")
	flag.StringVar(&valText, "values", "", "user values as YAML text")
	flag.StringVar(&valFile, "values-file", "", "read user values YAML from this file")
	flag.StringVar(&helpersFile, "helpers-file", "", "file used as templates/_helpers.tpl")
	flag.StringVar(&chartValFile, "chart-values-file", "", "file used as the chart's values.yaml")
	flag.StringVar(&name, "name", "", "template file name under templates/ (default t.yaml)")
	flag.StringVar(&batch, "batch", "", "render all cases of this .yaml/.json/.jsonl file")
	flag.StringVar(&write, "write", "", "with -batch: write the expected-results document here")
	flag.StringVar(&check, "check", "", "with -batch: compare with this expected-results document")
	flag.BoolVar(&serve, "serve", false, "answer JSON-lines cases from stdin, one JSON line each")
	flag.BoolVar(&funcs, "funcs", false, "print the names of all functions Helm's engine exposes")
	flag.Parse()

	if funcs {
		return printFuncs(os.Stdout)
	}
	if serve {
		return runServe(os.Stdin, os.Stdout)
	}
	if batch != "" {
		return runBatch(batch, write, check)
	}
	c := Case{Name: "cli", Template: tplText, Values: valText, TemplateName: name}
	var err error
	if c.Template == "" {
		if c.Template, err = readText(tplFile, true); err != nil {
			return err
		}
	}
	if valFile != "" {
		if c.Values, err = readText(valFile, false); err != nil {
			return err
		}
	}
	if c.Helpers, err = readText(helpersFile, false); err != nil {
		return err
	}
	if c.ChartValues, err = readText(chartValFile, false); err != nil {
		return err
	}
	out, rerr := Render(c)
	if rerr != nil {
		fmt.Fprint(os.Stderr, rerr.Error())
		os.Exit(1)
	}
	_, err = io.WriteString(os.Stdout, out)
	return err
}

// readText reads a file; "" means nothing (or stdin when stdin is true).
func readText(path string, stdin bool) (string, error) {
	switch {
	case path == "" && stdin:
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	case path == "":
		return "", nil
	default:
		b, err := os.ReadFile(path)
		return string(b), err
	}
}

// buildChart makes the in-memory chart for a case.
func buildChart(c Case) (*chart.Chart, error) {
	chartVals, err := common.ReadValues([]byte(c.ChartValues))
	if err != nil {
		return nil, fmt.Errorf("chart_values: %w", err)
	}
	ch := &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: chartName, Version: "0.1.0"},
		Values:   chartVals,
	}
	add := func(name, text string) {
		ch.Templates = append(ch.Templates, &common.File{Name: "templates/" + name, Data: []byte(text)})
	}
	add(templateName(c), c.Template)
	if c.Helpers != "" {
		add("_helpers.tpl", c.Helpers)
	}
	for _, n := range sortedKeys(c.Templates) {
		add(n, c.Templates[n])
	}
	for _, n := range sortedKeys(c.Files) {
		ch.Files = append(ch.Files, &common.File{Name: n, Data: []byte(c.Files[n])})
	}
	return ch, nil
}

func templateName(c Case) string {
	if c.TemplateName != "" {
		return c.TemplateName
	}
	return "t.yaml"
}

// Render renders the case's template through Helm's engine the way `helm template` does.
func Render(c Case) (string, error) {
	ch, err := buildChart(c)
	if err != nil {
		return "", err
	}
	user, err := common.ReadValues([]byte(c.Values))
	if err != nil {
		return "", fmt.Errorf("values: %w", err)
	}
	opts := common.ReleaseOptions{Name: releaseName, Namespace: namespace, Revision: 1, IsInstall: true}
	vals, err := util.ToRenderValuesWithSchemaValidation(ch, user, opts, nil, false)
	if err != nil {
		return "", err
	}
	out, err := engine.Render(ch, vals)
	if err != nil {
		return "", err
	}
	key := filepath.ToSlash(filepath.Join(chartName, "templates", templateName(c)))
	text, ok := out[key]
	if !ok {
		return "", fmt.Errorf("oracle: no output for %s", key)
	}
	return text, nil
}

// loadCases reads a case file: YAML (a list, or a mapping with a `cases` list), JSON, or JSON lines.
func loadCases(path string) ([]Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []Case
	if strings.HasSuffix(path, ".jsonl") {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			var c Case
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			cases = append(cases, c)
		}
		return cases, sc.Err()
	}
	var doc struct {
		Cases []Case `json:"cases"`
	}
	if err := yaml.UnmarshalStrict(data, &doc); err == nil {
		cases = doc.Cases
	} else if err2 := yaml.UnmarshalStrict(data, &cases); err2 != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return cases, validate(cases)
}

// validate rejects case lists the expected files could not represent unambiguously.
func validate(cases []Case) error {
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Name == "" {
			return errors.New("case without a name")
		}
		if seen[c.Name] {
			return fmt.Errorf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		if c.Nondeterministic && c.Match == "" {
			return fmt.Errorf("case %q: nondeterministic cases need a match regex", c.Name)
		}
		if c.Match != "" {
			if _, err := regexp.Compile(c.Match); err != nil {
				return fmt.Errorf("case %q: bad match: %w", c.Name, err)
			}
		}
	}
	return nil
}

// renderLogged renders a case and returns what Helm logged meanwhile, one entry per line.
func renderLogged(c Case) (string, []string, error) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	log.SetFlags(0)
	defer log.SetOutput(os.Stderr)
	out, err := Render(c)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return out, lines, err
}

// renderResult renders a case twice to catch unmarked nondeterminism and builds its Result.
func renderResult(c Case) (Result, error) {
	r := Result{Case: c}
	out, warnings, err := renderLogged(c)
	out2, warnings2, err2 := renderLogged(c)
	if !c.Nondeterministic && (out != out2 || errString(err) != errString(err2) ||
		strings.Join(warnings, "\n") != strings.Join(warnings2, "\n")) {
		return r, fmt.Errorf("case %q: output differs between runs; mark it nondeterministic", c.Name)
	}
	if c.Match != "" {
		re := regexp.MustCompile(`\A(?:` + c.Match + `)\z`)
		if err != nil || !re.MatchString(out) {
			return r, fmt.Errorf("case %q: output %q (error %v) does not match %q", c.Name, out, err, c.Match)
		}
	}
	if c.Nondeterministic {
		return r, nil
	}
	r.Warnings = warnings
	if err != nil {
		s := err.Error()
		r.Error = &s
	} else {
		r.Output = &out
	}
	return r, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func runBatch(path, write, check string) error {
	cases, err := loadCases(path)
	if err != nil {
		return err
	}
	if write == "" && check == "" {
		return streamResults(cases)
	}
	doc, err := expectedDoc(path, cases)
	if err != nil {
		return err
	}
	data, err := marshal(doc)
	if err != nil {
		return err
	}
	if write != "" {
		return os.WriteFile(write, data, 0o644)
	}
	return compare(check, doc, data)
}

func streamResults(cases []Case) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		out, err := Render(c)
		line := map[string]string{"name": c.Name}
		if err != nil {
			line["error"] = err.Error()
		} else {
			line["output"] = out
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

func expectedDoc(path string, cases []Case) (Expected, error) {
	doc := Expected{
		Comment:     "Generated by hack/template-oracle/regen.sh from the case file named in source; do not edit.",
		Source:      filepath.Base(path),
		HelmVersion: helmVersion(),
	}
	var errs []error
	for _, c := range cases {
		r, err := renderResult(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		doc.Cases = append(doc.Cases, r)
	}
	sort.Slice(doc.Cases, func(i, j int) bool { return doc.Cases[i].Name < doc.Cases[j].Name })
	return doc, errors.Join(errs...)
}

func helmVersion() string {
	return common.DefaultCapabilities.HelmVersion.Version
}

func marshal(doc Expected) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	return buf.Bytes(), err
}

// compare reports, case by case, how the freshly rendered document differs from the file.
func compare(path string, doc Expected, data []byte) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if bytes.Equal(old, data) {
		fmt.Printf("ok   %s (%d cases)\n", path, len(doc.Cases))
		return nil
	}
	var prev Expected
	if err := json.Unmarshal(old, &prev); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	byName := map[string][]byte{}
	for _, r := range prev.Cases {
		b, _ := json.Marshal(r)
		byName[r.Name] = b
	}
	for _, r := range doc.Cases {
		b, _ := json.Marshal(r)
		if p, ok := byName[r.Name]; !ok {
			fmt.Printf("DIFF %s: case %q missing from expected file\n", path, r.Name)
		} else if !bytes.Equal(p, b) {
			fmt.Printf("DIFF %s: case %q\n  expected: %s\n  oracle:   %s\n", path, r.Name, p, b)
		}
		delete(byName, r.Name)
	}
	for n := range byName {
		fmt.Printf("DIFF %s: case %q no longer in the case file\n", path, n)
	}
	if prev.HelmVersion != doc.HelmVersion || prev.Source != doc.Source || prev.Comment != doc.Comment {
		fmt.Printf("DIFF %s: header differs\n", path)
	}
	return fmt.Errorf("%s is out of date", path)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runServe answers every JSON-line case read from in with one JSON line on out, flushed per
// case. Helm's log output (coalescing warnings) is discarded; a case that is not valid JSON is
// answered with an error line rather than stopping the server.
func runServe(in io.Reader, out io.Writer) error {
	log.SetOutput(io.Discard)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		var c Case
		line := map[string]string{}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			line["error"] = "oracle: bad case: " + err.Error()
		} else if text, err := Render(c); err != nil {
			line["error"] = err.Error()
		} else {
			line["output"] = text
		}
		line["name"] = c.Name
		if err := enc.Encode(line); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// printFuncs probes every candidate function name through Helm's engine and prints those that
// exist. Candidates: Sprig's TxtFuncMap, text/template's builtins and the names Helm's
// pkg/engine/funcs.go and engine.go add.
func printFuncs(out io.Writer) error {
	log.SetOutput(io.Discard)
	candidates := map[string]bool{}
	for name := range sprig.TxtFuncMap() {
		candidates[name] = true
	}
	for _, name := range []string{
		"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
		"println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
		"toToml", "fromToml", "toYaml", "mustToYaml", "toYamlPretty", "fromYaml",
		"fromYamlArray", "toJson", "mustToJson", "fromJson", "fromJsonArray", "include", "tpl",
		"required", "fail", "lookup", "getHostByName", "env", "expandenv",
	} {
		candidates[name] = true
	}
	var names []string
	for name := range candidates {
		c := Case{Name: name, Template: "{{ if false }}{{ " + name + " }}{{ end }}"}
		if _, err := Render(c); err != nil {
			if strings.Contains(err.Error(), "not defined") {
				continue
			}
			return fmt.Errorf("probing %s: %w", name, err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := fmt.Fprintln(out, n); err != nil {
			return err
		}
	}
	return nil
}
