#!/usr/bin/env bash
# Releases every module of the repository at one version. The nested
# modules (adapters/gin, stores/sql, ...) require the root, and each other,
# at the version the next release will carry: once tagged, that is what a
# consumer's `go get` resolves. Before the tags exist, go.work replaces
# those versions by the directories, for work in this repository.
#
#   scripts/release.sh check           every module agrees (CI runs this)
#   scripts/release.sh set v0.2.0      move every requirement and go.work to v0.2.0
#   scripts/release.sh tag v0.2.0      check, then tag: v0.2.0 first, then
#                                      adapters/gin/v0.2.0, ... in dependency order
#   scripts/release.sh tag v0.2.0 --push origin   ... and push the tags in that order
#
# Modules that are not published (examples, examples/grpc, bench, interop,
# chaos: programs and tests, never imported) are checked but not tagged. See RELEASING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

unpublished=" examples bench interop chaos examples/grpc "
semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

die() { echo "release.sh: $*" >&2; exit 1; }

# module_dirs lists the directory of every module, "." first.
module_dirs() {
	git ls-files 'go.mod' '*/go.mod' | sed 's|/\{0,1\}go.mod$||; s|^$|.|' | sort
}

module_path() { awk '$1 == "module" { print $2; exit }' "$1/go.mod"; }

# block_entries FILE KEYWORD prints every entry of the KEYWORD directive
# (path, version, and for replace "=>" and the target), in block or
# single-line form; comment lines are skipped.
block_entries() {
	awk -v kw="$2" '
		$1 == kw && $2 == "(" { inblock = 1; next }
		inblock && $1 == ")" { inblock = 0; next }
		inblock && $1 != "" && $1 !~ /^\/\// { print $1, $2, $3, $4, $5; next }
		$1 == kw && $2 != "(" { print $2, $3, $4, $5, $6 }
	' "$1"
}

published() { [[ "$unpublished" != *" $1 "* ]]; }

# own_paths prints "path dir" for every module.
own_paths() {
	local d
	for d in $dirs; do echo "$(module_path "$d") $d"; done
}

# agreed prints the version every in-repo requirement names, and fails,
# saying why, when they do not agree or something else is amiss.
agreed() {
	local paths d path ver problems="" versions="" use rest
	paths=$(own_paths)
	for d in $dirs; do
		while read -r path ver _; do
			grep -q "^$path " <<<"$paths" || continue
			versions+="$ver"$'\n'
			[[ "$ver" =~ $semver ]] && [ "$ver" != v0.0.0 ] ||
				problems+="  $d/go.mod requires $path $ver: not a version this repository releases"$'\n'
		done < <(block_entries "$d/go.mod" require)
		while read -r path _; do
			grep -q "^$path " <<<"$paths" &&
				problems+="  $d/go.mod replaces $path: consumers ignore replace directives; go.work does this"$'\n'
		done < <(block_entries "$d/go.mod" replace)
	done
	versions=$(sort -u <<<"$versions" | sed '/^$/d')
	if [ "$(wc -l <<<"$versions")" -gt 1 ]; then
		problems+="  the modules require different versions of each other: $(tr '\n' ' ' <<<"$versions")"$'\n'
	fi
	local v=${versions:-}
	# go.work uses every module and replaces each published one, at v, by its directory.
	for d in $dirs; do
		use=./${d#./}
		[ "$d" = . ] && use=.
		block_entries go.work use | awk '{ print $1 }' | sed 's|/$||' | grep -qxF -e "$use" -e "./$d" ||
			problems+="  go.work does not use $d"$'\n'
		if [ -n "$v" ] && published "$d"; then
			path=$(module_path "$d")
			rest=$(block_entries go.work replace | awk -v p="$path" '$1 == p { print $2, $3, $4 }')
			want="./${d#.}"
			[ "$d" = . ] && want=./
			[ "$rest" = "$v => $want" ] || [ "$rest" = "$v => ${want%/}" ] ||
				problems+="  go.work must replace $path $v => $want (has: ${rest:-nothing})"$'\n'
		fi
	done
	if [ -n "$problems" ]; then
		printf 'release.sh: the modules do not agree:\n%s' "$problems" >&2
		echo "release.sh: scripts/release.sh set vX.Y.Z puts every module at vX.Y.Z" >&2
		return 1
	fi
	echo "$v"
}

# tag_order prints the published module directories, each after every
# in-repo module it requires.
tag_order() {
	local paths remaining done_list="" d dep progress path ok
	paths=$(own_paths)
	remaining=$(for d in $dirs; do published "$d" && echo "$d"; done)
	while [ -n "$remaining" ]; do
		progress=""
		for d in $remaining; do
			ok=1
			while read -r path _; do
				dep=$(awk -v p="$path" '$1 == p { print $2 }' <<<"$paths")
				[ -n "$dep" ] && published "$dep" || continue
				[[ " $done_list " == *" $dep "* ]] || ok=0
			done < <(block_entries "$d/go.mod" require)
			if [ "$ok" = 1 ]; then
				echo "$d"
				done_list+=" $d"
				progress=1
			fi
		done
		[ -n "$progress" ] || die "the modules require each other in a cycle: $remaining"
		remaining=$(for d in $remaining; do [[ " $done_list " == *" $d "* ]] || echo "$d"; done)
	done
}

tag_name() { if [ "$1" = . ]; then echo "$2"; else echo "$1/$2"; fi; }

dirs=$(module_dirs)
cmd=${1:-}
case "$cmd" in
check)
	v=$(agreed) || exit 1
	echo "release.sh: every module agrees on $v"
	;;
set)
	v=${2:-}
	[[ "$v" =~ $semver ]] || die "set needs a version vX.Y.Z, not '${v}'"
	paths=$(own_paths)
	for d in $dirs; do
		while read -r path _; do
			grep -q "^$path " <<<"$paths" || continue
			(cd "$d" && go mod edit -dropreplace="$path")
		done < <(block_entries "$d/go.mod" replace)
		while read -r path _; do
			grep -q "^$path " <<<"$paths" || continue
			(cd "$d" && go mod edit -require="$path@$v")
		done < <(block_entries "$d/go.mod" require)
	done
	while read -r path ver _; do
		go work edit -dropreplace="$path@$ver"
	done < <(block_entries go.work replace | awk -v paths="$paths" 'BEGIN { n = split(paths, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], f, " "); own[f[1]] = 1 } } own[$1]')
	for d in $dirs; do
		published "$d" || continue
		if [ "$d" = . ]; then
			go work edit -replace="$(module_path "$d")@$v=./"
		else
			go work edit -replace="$(module_path "$d")@$v=./$d"
		fi
	done
	agreed >/dev/null
	echo "release.sh: every module is at $v; commit, then scripts/release.sh tag $v"
	;;
tag)
	v=${2:-}
	[[ "$v" =~ $semver ]] || die "tag needs a version vX.Y.Z, not '${v}'"
	remote=""
	if [ "${3:-}" = --push ]; then
		remote=${4:-}
		[ -n "$remote" ] || die "--push needs a remote"
	fi
	have=$(agreed) || exit 1
	[ "$have" = "$v" ] || die "the modules require $have, not $v: run scripts/release.sh set $v and commit first"
	[ -z "$(git status --porcelain)" ] || die "the work tree has changes: commit them first"
	order=$(tag_order)
	for d in $order; do
		t=$(tag_name "$d" "$v")
		! git rev-parse -q --verify "refs/tags/$t" >/dev/null || die "tag $t exists already"
	done
	for d in $order; do
		t=$(tag_name "$d" "$v")
		git tag -a "$t" -m "$(module_path "$d") $v"
		echo "tagged $t"
	done
	if [ -n "$remote" ]; then
		for d in $order; do
			git push "$remote" "refs/tags/$(tag_name "$d" "$v")"
		done
	else
		echo "release.sh: push the tags in this order:"
		for d in $order; do echo "  git push REMOTE refs/tags/$(tag_name "$d" "$v")"; done
	fi
	;;
*)
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
