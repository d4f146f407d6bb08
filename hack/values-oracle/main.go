// Command values-oracle runs Helm v4.1.4's own pkg/strvals and pkg/cli/values on test inputs,
// printing results with Go types (i: int64, f: float64, quoted strings, nil). It produced
// src/render/testdata/strvals.tsv and src/render/testdata/user_values/expected.txt:
//
//	go build -o /tmp/values-oracle .
//	cut -f1-3 ../../src/render/testdata/strvals.tsv | /tmp/values-oracle strvals
//	(cd ../../src/render/testdata/user_values && /tmp/values-oracle values < cases.jsonl)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/strvals"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "strvals" {
		strvalsMain()
	} else {
		valuesMain()
	}
}

func typed(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return "i:" + strconv.FormatInt(x, 10)
	case float64:
		return "f:" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	case []interface{}:
		parts := []string{}
		for _, e := range x {
			parts = append(parts, typed(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]interface{}:
		keys := []string{}
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := []string{}
		for _, k := range keys {
			parts = append(parts, strconv.Quote(k)+":"+typed(x[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("?%T", v)
}

// input lines: MODE<TAB>INITIAL_SET<TAB>INPUT ; INITIAL_SET is a --set string applied first (may be empty)
func strvalsMain() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		mode, init, in := parts[0], parts[1], parts[2]
		m := map[string]interface{}{}
		if init != "" {
			if err := strvals.ParseJSON(init, m); err != nil {
				fmt.Println("initerr", err)
				continue
			}
		}
		var err error
		switch mode {
		case "set":
			err = strvals.ParseInto(in, m)
		case "string":
			err = strvals.ParseIntoString(in, m)
		case "json":
			err = strvals.ParseJSON(in, m)
		case "literal":
			err = strvals.ParseLiteralInto(in, m)
		case "file":
			err = strvals.ParseIntoFile(in, m, func(rs []rune) (interface{}, error) {
				if string(rs) == "missing" {
					return nil, fmt.Errorf("open missing: no such file or directory")
				}
				return "content of " + string(rs), nil
			})
		}
		if err != nil {
			fmt.Printf("%s\t%s\t%s\terr %s\n", mode, init, in, err)
		} else {
			fmt.Printf("%s\t%s\t%s\tok %s\n", mode, init, in, typed(m))
		}
	}
}

// each line of stdin: a JSON values.Options
func valuesMain() {
	dec := json.NewDecoder(os.Stdin)
	for {
		var o values.Options
		if err := dec.Decode(&o); err != nil {
			return
		}
		m, err := o.MergeValues(getter.Providers{})
		if err != nil {
			fmt.Println("err " + err.Error())
		} else {
			fmt.Println("ok " + typed(m))
		}
	}
}
