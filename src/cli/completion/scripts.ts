import { COMPLETE_COMMAND, type Shell } from './protocol.js';

/**
 * The script `stn completion SHELL` prints, to be sourced by the shell. It asks `stn __complete` for the
 * candidates on every Tab, so new environments and agents complete without reloading it.
 */
export function completionScript(shell: Shell, bin: string): string {
  const fn = `_${bin.replace(/\W/g, '_')}_complete`;
  return shell === 'bash' ? bashScript(bin, fn) : zshScript(bin, fn);
}

function bashScript(bin: string, fn: string): string {
  // No mapfile: macOS still ships bash 3.2.
  return `# bash completion for ${bin}. Load it from ~/.bashrc with:  source <(${bin} completion bash)
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line
  local -a lines=()
  while IFS= read -r line; do lines+=("$line"); done < <(${bin} ${COMPLETE_COMMAND} bash -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  case \${lines[0]-} in
    :files) compopt -o filenames 2>/dev/null; while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur") ;;
    :dirs) compopt -o filenames 2>/dev/null; while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -d -- "$cur") ;;
    *) COMPREPLY=("\${lines[@]}") ;;
  esac
}
complete -F ${fn} ${bin}
`;
}

function zshScript(bin: string, fn: string): string {
  return `#compdef ${bin}
# zsh completion for ${bin}. Load it from ~/.zshrc with:  source <(${bin} completion zsh)
${fn}() {
  local -a lines
  lines=("\${(@f)$(${bin} ${COMPLETE_COMMAND} zsh -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case \${lines[1]-} in
    :files) _files ;;
    :dirs) _files -/ ;;
    *) lines=(\${lines:#}); (( \${#lines} )) && _describe -t values '${bin}' lines ;;
  esac
}
(( \${+functions[compdef]} )) || { autoload -Uz compinit && compinit }
compdef ${fn} ${bin}
`;
}
