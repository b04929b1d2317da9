#!powershell

# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.ArgvParser
#Requires -Module Ansible.ModuleUtils.CommandUtil

# Runs a plan built on the controller: documented cmdlet calls and executables, in order, in one
# round trip. It decides nothing: which steps to run, and what their answers mean, is the
# controller's business. The first failing step stops the plan.

$spec = @{
    options = @{
        steps = @{ type = 'list'; elements = 'dict'; required = $true }
        modules = @{ type = 'list'; elements = 'str'; default = @() }
        secrets = @{ type = 'dict'; default = @{}; no_log = $true }
        depth = @{ type = 'int'; default = 3 }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.steps = @()

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
    param([System.Management.Automation.ErrorRecord]$Record)

    @{
        message = $Record.Exception.Message
        category = $Record.CategoryInfo.Category.ToString()
        error_id = $Record.FullyQualifiedErrorId
    }
}

function Invoke-CmdletStep {
    param([System.Collections.IDictionary]$Step, [System.Collections.IDictionary]$Secrets, [int]$Depth)

    $answer = @{ output = @(); error = $null; exit_code = $null; stdout = ''; stderr = '' }
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
    $arguments.ErrorAction = 'Stop'
    try {
        $command = Get-Command -Name $Step.name -CommandType Cmdlet, Function -ErrorAction Stop
        $output = & $command @arguments
        $answer.output = Select-PlanOutput -Output $output -Select @($Step.select) -AsText @($Step.as_text) -Depth $Depth
    }
    catch {
        $answer.error = New-StepError -Record $_
    }
    $answer
}

function Invoke-ExecutableStep {
    param([System.Collections.IDictionary]$Step)

    $answer = @{ output = @(); error = $null; exit_code = $null; stdout = ''; stderr = '' }
    try {
        $commandLine = Argv-ToString -arguments (@($Step.path) + @($Step.arguments))
        $run = Run-Command -command $commandLine
        $answer.exit_code = $run.rc
        $answer.stdout = $run.stdout
        $answer.stderr = $run.stderr
        if (@($Step.success_codes) -notcontains $run.rc) {
            $answer.error = @{
                message = "$($Step.path) exited with code $($run.rc)."
                category = 'ExitCode'
                error_id = 'NonZeroExitCode'
            }
        }
    }
    catch {
        $answer.error = New-StepError -Record $_
    }
    $answer
}

foreach ($name in $module.Params.modules) {
    try {
        Import-Module -Name $name -ErrorAction Stop
    }
    catch {
        $module.Result.missing_module = $name
        $module.FailJson("The PowerShell module '$name' could not be loaded: $($_.Exception.Message)")
    }
}

$index = 0
foreach ($step in $module.Params.steps) {
    if ($step.type -eq 'executable') {
        $answer = Invoke-ExecutableStep -Step $step
    }
    else {
        $answer = Invoke-CmdletStep -Step $step -Secrets $module.Params.secrets -Depth $module.Params.depth
    }
    $answer.index = $index
    $module.Result.steps += , $answer
    $index++
    if ($null -ne $answer.error) { break }
}

$module.ExitJson()
