#!powershell

# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.ArgvParser
#Requires -Module Ansible.ModuleUtils.CommandUtil

# Runs a plan built on the controller: documented cmdlet calls and executables, in order, in one
# round trip. It decides nothing: which steps to run, and what their answers mean, is the
# controller's business. The first failing step stops the plan: the steps after it do not run.
#
# Windows PowerShell 5.1 semantics this relies on (Microsoft's about_* pages):
# - about_Preference_Variables: the module host runs this script with $ErrorActionPreference =
#   'Stop'. Each step runs with the default, 'Continue', in this scope and in the global scope,
#   because functions of script modules (CloudConnector) read the global value, not the caller's.
#   A non-terminating error therefore lets the command go on (a whole-server
#   Stop-CsWindowsService stops every service it can), and the step fails afterwards.
# - about_CommonParameters: -ErrorVariable collects the errors a command writes; it and
#   -ErrorAction are passed only to commands whose documented signature has the CommonParameters
#   (the step's common_parameters). For the others the error stream is merged (2>&1) and read.
# - about_Redirection: 2>&1 keeps error records off the host, so they come back in the step's
#   answer instead of the module's stderr.

# Each secret is one {name, value} entry whose `value` sub-option is no_log: Ansible.Basic registers
# the text of every no_log value, so each value itself is masked in the event log's "Invoked with"
# entry and in invocation.module_args (a no_log dict would only register its type name).
$secretOptions = @{
    name = @{ type = 'str'; required = $true }
    value = @{ type = 'str'; required = $true; no_log = $true }
}

$spec = @{
    options = @{
        steps = @{ type = 'list'; elements = 'dict'; required = $true }
        modules = @{ type = 'list'; elements = 'str'; default = @() }
        secrets = @{ type = 'list'; elements = 'dict'; default = @(); options = $secretOptions }
        depth = @{ type = 'int'; default = 3 }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.steps = @()

# The error id of a step whose module could not be imported; the controller reads it
# (host/plan.py MODULE_MISSING_ID).
$moduleMissingId = 'ModuleMissing:'
# Replaces a secret inside any text the runner returns.
$secretMask = '********'

function ConvertTo-PlanValue {
    # Turns what a cmdlet returned into plain JSON-friendly values: enums and dates as text,
    # collections as lists, other objects as their properties, down to $Depth levels.
    param($Value, [int]$Depth)

    if ($null -eq $Value) { return $null }
    if ($Value -is [string] -or $Value -is [bool]) { return $Value }
    if ($Value -is [char]) { return "$Value" }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [double] -or $Value -is [decimal]) { return $Value }
    # The other numeric types (UInt16 LocalPort, UInt32 RemotePort, Single ...) have no properties:
    # left to the property walk below they would come back as an empty object.
    if ($Value.GetType().IsPrimitive) { return $Value }
    # Identity-like types whose text is their value (GUIDs, versions, addresses, SIDs).
    if ($Value -is [guid] -or $Value -is [version] -or $Value -is [uri] -or $Value -is [System.Net.IPAddress] -or
        $Value -is [System.Security.Principal.SecurityIdentifier]) { return $Value.ToString() }
    if ($Value -is [System.DateTimeOffset]) { return $Value.UtcDateTime.ToString('o') }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
    if ($Value -is [timespan]) { return $Value.TotalSeconds }
    if ($Value -is [System.Security.SecureString]) { return $null }
    if ($Depth -le 0) { return $Value.ToString() }
    if ($Value -is [System.Collections.IDictionary]) {
        $table = @{}
        foreach ($key in $Value.Keys) {
            $table["$key"] = ConvertTo-PlanValue -Value $Value[$key] -Depth ($Depth - 1)
        }
        return $table
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]@()
        foreach ($item in $Value) {
            $list.Add((ConvertTo-PlanValue -Value $item -Depth ($Depth - 1)))
        }
        return , $list.ToArray()
    }
    $properties = @{}
    foreach ($property in $Value.PSObject.Properties) {
        if ($property.MemberType -in @('Property', 'NoteProperty', 'ScriptProperty')) {
            try {
                $properties[$property.Name] = ConvertTo-PlanValue -Value $property.Value -Depth ($Depth - 1)
            }
            catch {
                $properties[$property.Name] = $null
            }
        }
    }
    return $properties
}

function Select-PlanOutput {
    param($Output, [string[]]$Select, [string[]]$AsText, [int]$Depth)

    # Strings, numbers and booleans (Test-Path, Get-CsServerVersion) always come back; objects only
    # with the properties the plan selects, so that an unselected object costs nothing.
    $selected = [System.Collections.Generic.List[object]]@()
    foreach ($item in @($Output)) {
        if ($null -eq $item) { continue }
        if ($item -is [string] -or $item -is [ValueType]) {
            $selected.Add((ConvertTo-PlanValue -Value $item -Depth $Depth))
            continue
        }
        if ($Select.Count -eq 0) { continue }
        $object = @{}
        foreach ($name in $Select) {
            $value = $item.$name
            if ($AsText -contains $name) {
                $object[$name] = ConvertTo-PlanText -Value $value
            }
            else {
                $object[$name] = ConvertTo-PlanValue -Value $value -Depth $Depth
            }
        }
        $selected.Add($object)
    }
    return , $selected.ToArray()
}

function ConvertTo-PlanText {
    # The text form of a value, element by element for a collection.
    param($Value)

    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) { return $Value }
    if ($Value -is [System.Collections.IEnumerable]) {
        $texts = [System.Collections.Generic.List[object]]@()
        foreach ($item in $Value) {
            if ($null -ne $item) { $texts.Add($item.ToString()) }
        }
        return , $texts.ToArray()
    }
    return $Value.ToString()
}

function ConvertTo-PlanArgument {
    # A parameter value from the controller; secrets are references into the no_log secrets option.
    param($Value, [System.Collections.IDictionary]$Secrets)

    if ($Value -is [System.Collections.IDictionary] -and $Value.ContainsKey('secret')) {
        $plain = $Secrets[$Value.secret]
        if ($null -eq $plain) { throw "The plan refers to secret '$($Value.secret)', which was not given." }
        if ($Value.kind -eq 'String') { return [string]$plain }
        $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
        if ($Value.kind -eq 'PSCredential') {
            return New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $Value.username, $secure
        }
        return $secure
    }
    if ($Value -is [System.Collections.IList]) {
        return , @($Value | ForEach-Object { ConvertTo-PlanArgument -Value $_ -Secrets $Secrets })
    }
    return $Value
}

function New-StepError {
    # One error entry from the error records a step wrote or threw: the first one's message,
    # category and id, and the count and messages of the others.
    param([object[]]$Records)

    $messages = [System.Collections.Generic.List[string]]@()
    foreach ($record in $Records) {
        if ($record.ErrorDetails -and $record.ErrorDetails.Message) {
            $messages.Add($record.ErrorDetails.Message)
        }
        else {
            $messages.Add($record.Exception.Message)
        }
    }
    $first = $Records[0]
    $message = $messages[0]
    if ($messages.Count -gt 1) {
        $others = @($messages | Select-Object -Skip 1 -First 9) -join ' | '
        $message = "$message [$($messages.Count - 1) more error(s): $others]"
    }
    @{
        message = $message
        category = $first.CategoryInfo.Category.ToString()
        error_id = "$($first.FullyQualifiedErrorId)"
    }
}

function Select-ErrorRecord {
    # The distinct error records among those given (a record both redirected and collected by
    # -ErrorVariable counts once).
    param([object[]]$Records)

    $seen = @{}
    $distinct = [System.Collections.Generic.List[object]]@()
    foreach ($record in $Records) {
        if ($record -isnot [System.Management.Automation.ErrorRecord]) { continue }
        $key = "$($record.FullyQualifiedErrorId)|$($record.Exception.Message)|$($record.TargetObject)"
        if ($seen.ContainsKey($key)) { continue }
        $seen[$key] = $true
        $distinct.Add($record)
    }
    return , $distinct.ToArray()
}

function Update-PSModulePath {
    # A fresh install of the core components or the CCE preflight changes PSModulePath in the
    # machine environment only; a session keeps the value it started with. The process value keeps
    # its order (and its per-user folders) and the machine's folders it lacks are added.
    $folders = [System.Collections.Generic.List[string]]@()
    $machine = [Environment]::ExpandEnvironmentVariables("$([Environment]::GetEnvironmentVariable('PSModulePath', 'Machine'))")
    foreach ($folder in @("$env:PSModulePath" -split ';') + @($machine -split ';')) {
        $folder = $folder.Trim()
        # -contains compares strings without regard to case, as Windows compares paths.
        if ($folder -and -not ($folders -contains $folder)) { $folders.Add($folder) }
    }
    $env:PSModulePath = $folders -join ';'
}

function Import-StepModule {
    # Imports the module a step needs, the first time a step needs it. Returns $null, or the step's
    # error when the module cannot be loaded: that step fails, the steps before it have run.
    param([string]$Name, [System.Collections.IDictionary]$Loaded)

    if (-not $Name -or $Loaded.ContainsKey($Name)) { return $null }
    try {
        if (-not (Get-Module -Name $Name)) {
            Import-Module -Name $Name -Global -ErrorAction Stop
        }
        $Loaded[$Name] = $true
        return $null
    }
    catch {
        return @{
            message = "The PowerShell module '$Name' could not be loaded: $($_.Exception.Message)"
            category = $_.CategoryInfo.Category.ToString()
            error_id = "$moduleMissingId$Name"
        }
    }
}

function Find-StepCommand {
    param([System.Collections.IDictionary]$Step)

    # The step's own module first: a name such as Get-CsUser also exists in other modules.
    $command = $null
    if ($Step.module) {
        $command = Get-Command -Name $Step.name -Module $Step.module -CommandType Cmdlet, Function -ErrorAction SilentlyContinue |
            Select-Object -First 1
    }
    if ($null -eq $command) {
        $command = Get-Command -Name $Step.name -CommandType Cmdlet, Function -ErrorAction Stop | Select-Object -First 1
    }
    $command
}

function Invoke-CmdletStep {
    param([System.Collections.IDictionary]$Step, [System.Collections.IDictionary]$Secrets, [int]$Depth,
        [System.Collections.IDictionary]$Loaded)

    $answer = @{ output = @(); error = $null; exit_code = $null; stdout = ''; stderr = '' }
    $answer.error = Import-StepModule -Name $Step.module -Loaded $Loaded
    if ($null -ne $answer.error) { return $answer }

    $objects = [System.Collections.Generic.List[object]]@()
    $records = [System.Collections.Generic.List[object]]@()
    $stepErrors = $null
    $savedPreference = $global:ErrorActionPreference
    try {
        $arguments = @{}
        $switches = @($Step.switches)
        foreach ($entry in $Step.parameters.GetEnumerator()) {
            if ($switches -contains $entry.Key) {
                $arguments[$entry.Key] = [System.Management.Automation.SwitchParameter][bool]$entry.Value
            }
            else {
                $arguments[$entry.Key] = ConvertTo-PlanArgument -Value $entry.Value -Secrets $Secrets
            }
        }
        if ($Step.common_parameters) {
            $arguments.ErrorAction = 'Continue'
            $arguments.ErrorVariable = 'stepErrors'
        }
        $command = Find-StepCommand -Step $Step
        $global:ErrorActionPreference = 'Continue'
        $ErrorActionPreference = 'Continue'
        & $command @arguments 2>&1 | ForEach-Object -Process {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { $records.Add($_) }
            else { $objects.Add($_) }
        }
    }
    catch {
        # A terminating error: the command stopped there.
        $records.Add($_)
    }
    finally {
        $global:ErrorActionPreference = $savedPreference
        $ErrorActionPreference = 'Stop'
    }
    foreach ($record in @($stepErrors)) {
        if ($null -ne $record) { $records.Add($record) }
    }
    # What the command returned comes back even when it also wrote errors: a whole-server
    # Stop-CsWindowsService reports the services it did stop.
    $answer.output = Select-PlanOutput -Output $objects.ToArray() -Select @($Step.select) -AsText @($Step.as_text) -Depth $Depth
    $distinct = Select-ErrorRecord -Records $records.ToArray()
    if ($distinct.Count -gt 0) {
        # Any error the step wrote fails it, terminating or not.
        $answer.error = New-StepError -Records $distinct
    }
    $answer
}

function Get-OemEncodingName {
    # Console tools (w32tm, setup programs) write in the OEM code page: the system's value is OEMCP
    # under HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage (what ansible.windows win_region
    # reads and sets); the culture's OEM code page is the fallback.
    try {
        $nls = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name OEMCP -ErrorAction Stop
        return [System.Text.Encoding]::GetEncoding([int]$nls.OEMCP).WebName
    }
    catch {
        return [System.Text.Encoding]::GetEncoding([System.Globalization.CultureInfo]::CurrentCulture.TextInfo.OEMCodePage).WebName
    }
}

function Invoke-ExecutableStep {
    param([System.Collections.IDictionary]$Step, [string]$OemEncoding)

    $answer = @{ output = @(); error = $null; exit_code = $null; stdout = ''; stderr = '' }
    try {
        $encoding = $OemEncoding
        if ($Step.output_encoding) { $encoding = $Step.output_encoding }
        $commandLine = Argv-ToString -arguments (@($Step.path) + @($Step.arguments))
        # Run-Command (Ansible.ModuleUtils.CommandUtil) decodes stdout and stderr with the encoding
        # it is given, UTF-8 when none; the outcome is decided on the exit code alone, before the
        # text is looked at, so a text in another language or code page cannot change it.
        $run = Run-Command -command $commandLine -output_encoding_override $encoding
        $answer.exit_code = $run.rc
        if (@($Step.success_codes) -notcontains $run.rc) {
            $answer.error = @{
                message = "$($Step.path) exited with code $($run.rc)."
                category = 'ExitCode'
                error_id = 'NonZeroExitCode'
            }
        }
        $answer.stdout = $run.stdout
        $answer.stderr = $run.stderr
    }
    catch {
        $answer.error = New-StepError -Records @($_)
    }
    $answer
}

function Hide-Secret {
    # $Value with every secret text replaced, in strings, lists and dictionaries: Ansible.Basic masks
    # no_log values in invocation and msg only, not in what a module puts in its result.
    param($Value, [string[]]$Secrets)

    if ($null -eq $Value -or $Secrets.Count -eq 0) { return $Value }
    if ($Value -is [string]) {
        foreach ($secret in $Secrets) {
            $Value = $Value.Replace($secret, $secretMask)
        }
        return $Value
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $copy = @{}
        foreach ($key in @($Value.Keys)) {
            $copy[(Hide-Secret -Value "$key" -Secrets $Secrets)] = Hide-Secret -Value $Value[$key] -Secrets $Secrets
        }
        return $copy
    }
    if ($Value -is [System.Collections.IList]) {
        $list = [System.Collections.Generic.List[object]]@()
        foreach ($item in $Value) {
            $list.Add((Hide-Secret -Value $item -Secrets $Secrets))
        }
        return , $list.ToArray()
    }
    return $Value
}

Update-PSModulePath

$secrets = @{}
foreach ($entry in $module.Params.secrets) {
    $secrets[$entry.name] = $entry.value
}
# Longest first, so that a secret containing another is masked whole.
$secretTexts = [string[]]@($secrets.Values | Where-Object { $_ } | Sort-Object -Property Length -Descending)

$loaded = @{}
$oemEncoding = $null
$index = 0
foreach ($step in $module.Params.steps) {
    if ($step.type -eq 'executable') {
        if ($null -eq $oemEncoding) { $oemEncoding = Get-OemEncodingName }
        $answer = Invoke-ExecutableStep -Step $step -OemEncoding $oemEncoding
    }
    else {
        $answer = Invoke-CmdletStep -Step $step -Secrets $secrets -Depth $module.Params.depth -Loaded $loaded
    }
    $answer.index = $index
    $module.Result.steps += , (Hide-Secret -Value $answer -Secrets $secretTexts)
    $index++
    # The first failing step, terminating error or not, stops the plan: the steps after it are
    # not run, and the controller reports them as not run (PlanResult.not_run).
    if ($null -ne $answer.error) { break }
}

$module.ExitJson()
